#include "chartsdock.h"

#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QEvent>
#include <QLineSeries>
#include <QValueAxis>
#include <QVBoxLayout>

namespace meshpad::gui {

namespace {

constexpr qint64 kWindowMs = std::chrono::duration_cast<std::chrono::milliseconds>(ChartsDock::kWindow).count();

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

// The largest y among the plot's lines, for a y axis that fits them.
qreal maxValue(const QHash<QString, QLineSeries *> &lines)
{
    qreal max = 0;
    for (const QLineSeries *series : lines) {
        for (int i = 0; i < series->count(); ++i)
            max = qMax(max, series->at(i).y());
    }
    return max;
}

} // namespace

ChartsDock::ChartsDock(QWidget *parent)
    : QDockWidget(tr("Charts"), parent)
{
    setObjectName(QStringLiteral("chartsDock"));
    auto *content = new QWidget;
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(createPlot(m_counter, tr("Count per counter instance"), tr("count")), 1);
    layout->addWidget(createPlot(m_throughput, tr("Throughput per arrow"), tr("bytes/s")), 1);
    m_counterChart = m_counter.chart;
    m_throughputChart = m_throughput.chart;
    setWidget(content);
    applyTheme();
}

ChartsDock::~ChartsDock() = default;

QChartView *ChartsDock::createPlot(Plot &plot, const QString &title, const QString &unit)
{
    plot.chart = new QChart;
    plot.chart->setTitle(title);
    plot.chart->legend()->setAlignment(Qt::AlignBottom);
    plot.chart->setMargins(QMargins(4, 4, 4, 4));
    // Redrawn a few times a second: no animation to run behind.
    plot.chart->setAnimationOptions(QChart::NoAnimation);

    plot.time = new QDateTimeAxis;
    plot.time->setFormat(u"HH:mm:ss"_qs);
    plot.time->setTickCount(6);
    const QDateTime now = QDateTime::currentDateTime();
    plot.time->setRange(now.addMSecs(-kWindowMs), now);
    plot.value = new QValueAxis;
    plot.value->setTitleText(unit);
    plot.value->setLabelFormat(u"%.0f"_qs);
    plot.value->setRange(0, 1);
    plot.chart->addAxis(plot.time, Qt::AlignBottom);
    plot.chart->addAxis(plot.value, Qt::AlignLeft);

    auto *view = new QChartView(plot.chart);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(160);
    return view;
}

QLineSeries *ChartsDock::line(Plot &plot, const QString &key, const QString &name)
{
    if (QLineSeries *series = plot.lines.value(key)) {
        if (series->name() != name)
            series->setName(name);
        return series;
    }
    auto *series = new QLineSeries;
    series->setName(name);
    plot.chart->addSeries(series);
    series->attachAxis(plot.time);
    series->attachAxis(plot.value);
    plot.lines.insert(key, series);
    return series;
}

void ChartsDock::addSnapshot(const mesh::lab::LabSnapshot &snapshot)
{
    if (!snapshot.running)
        return;
    const QDateTime taken = snapshot.taken.isValid() ? snapshot.taken : QDateTime::currentDateTime();
    const qint64 now = taken.toMSecsSinceEpoch();
    for (const mesh::lab::InstanceSnapshot &instance : snapshot.instances) {
        if (instance.counterValue)
            line(m_counter, instance.allocName, instance.allocName)->append(qreal(now), qreal(*instance.counterValue));
    }
    for (const mesh::lab::ArrowSnapshot &arrow : snapshot.arrows)
        line(m_throughput, arrow.id.value, arrow.from + u" → " + arrow.to)->append(qreal(now), arrow.bytesPerSecond);
    for (Plot *plot : {&m_counter, &m_throughput}) {
        trim(*plot, now);
        plot->time->setRange(taken.addMSecs(-kWindowMs), taken);
        plot->value->setRange(0, qMax<qreal>(1, maxValue(plot->lines) * 1.1));
        plot->value->applyNiceNumbers();
    }
}

void ChartsDock::trim(Plot &plot, qint64 now)
{
    const qreal oldest = qreal(now - kWindowMs);
    for (QLineSeries *series : std::as_const(plot.lines)) {
        int stale = 0;
        while (stale < series->count() && series->at(stale).x() < oldest)
            ++stale;
        if (stale > 0)
            series->removePoints(0, stale);
    }
}

void ChartsDock::clear()
{
    for (Plot *plot : {&m_counter, &m_throughput}) {
        plot->chart->removeAllSeries();
        plot->lines.clear();
        plot->value->setRange(0, 1);
    }
}

QLineSeries *ChartsDock::counterSeries(const QString &allocName) const
{
    return m_counter.lines.value(allocName);
}

QLineSeries *ChartsDock::throughputSeries(const mesh::model::UpstreamId &arrow) const
{
    return m_throughput.lines.value(arrow.value);
}

void ChartsDock::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        applyTheme();
    QDockWidget::changeEvent(event);
}

void ChartsDock::applyTheme()
{
    // Follow the system's light or dark palette, on the window's background.
    const QPalette pal = palette();
    for (QChart *chart : {m_counter.chart, m_throughput.chart}) {
        chart->setTheme(isDark(pal) ? QChart::ChartThemeDark : QChart::ChartThemeLight);
        chart->setBackgroundBrush(pal.color(QPalette::Base));
        chart->setBackgroundRoundness(0);
        chart->setTitleBrush(pal.color(QPalette::Text));
        chart->legend()->setLabelColor(pal.color(QPalette::Text));
        for (QAbstractAxis *axis : chart->axes()) {
            axis->setLabelsColor(pal.color(QPalette::Text));
            axis->setTitleBrush(pal.color(QPalette::Text));
        }
    }
}

} // namespace meshpad::gui
