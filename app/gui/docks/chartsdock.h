#pragma once

#include "lab/byterate.h"
#include "lab/labsnapshot.h"

#include <QDockWidget>
#include <QHash>

#include <chrono>

class QChart;
class QChartView;
class QLineSeries;
class QValueAxis;

namespace meshpad::gui {

// Two Qt Charts of the running lab over a rolling window (kWindow, the last
// five minutes): each embedded counter instance's count, and each arrow's
// throughput in bytes/s (both ways, from the byte totals, so a fetch a
// second reads as a steady rate). One line per instance / arrow, named as
// the Lab dock names them; x is seconds since the run's first snapshot.
// addSnapshot() appends a point per line at most once a second and drops
// the points that left the window; clear() starts over (the main window
// calls it when a new run starts, so a stopped run stays readable).
class ChartsDock final : public QDockWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChartsDock)

public:
    static constexpr std::chrono::minutes kWindow{5};
    static constexpr std::chrono::seconds kSampleInterval{1};

    explicit ChartsDock(QWidget *parent = nullptr);
    ~ChartsDock() override;

    void addSnapshot(const mesh::lab::LabSnapshot &snapshot);
    void clear();

    // For tests: the line of an instance (by allocation name) or an arrow.
    QLineSeries *counterSeries(const QString &allocName) const;
    QLineSeries *throughputSeries(const mesh::model::UpstreamId &arrow) const;
    QChart *counterChart() const { return m_counterChart; }
    QChart *throughputChart() const { return m_throughputChart; }

protected:
    void changeEvent(QEvent *event) override;

private:
    struct Plot final
    {
        QChart *chart = nullptr;
        QValueAxis *time = nullptr;
        QValueAxis *value = nullptr;
        QHash<QString, QLineSeries *> lines; // by allocation name / arrow id
    };

    QChartView *createPlot(Plot &plot, const QString &title, const QString &unit);
    QLineSeries *line(Plot &plot, const QString &key, const QString &name);
    void trim(Plot &plot, qreal oldest);
    void applyTheme();

    qint64 m_originMs = -1; // the run's first snapshot
    qint64 m_lastSampleMs = -1;
    QHash<QString, mesh::lab::ByteRate> m_rates; // by arrow id, between samples
    Plot m_counter;
    Plot m_throughput;
    QChart *m_counterChart = nullptr;
    QChart *m_throughputChart = nullptr;
};

} // namespace meshpad::gui
