#include "chartsdock.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QEvent>
#include <QLineSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include <cmath>

namespace meshpad::gui {

namespace {

constexpr qreal kWindowSeconds = std::chrono::duration_cast<std::chrono::seconds>(ChartsDock::kWindow).count();
constexpr qint64 kSampleMs = std::chrono::duration_cast<std::chrono::milliseconds>(ChartsDock::kSampleInterval).count();
// The x axis spans at least this much, so the first minute does not crowd
// its few points into a wall.
constexpr qreal kMinimumSpanSeconds = 60;

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

// Fits the value axis to 0…`max` with headroom, at whole round steps (1, 2
// or 5 × 10ⁿ) of at most five, so "%.0f" labels a tick each: a count of 1
// reads 0, 1, 2 — not the 1, 1, 1, 0, 0, 0 of five ticks over 0…1.2.
void fitValueAxis(QValueAxis *axis, qreal max)
{
    constexpr int kMaxSteps = 5;
    const qreal top = qMax<qreal>(max * 1.1, 1);
    qreal step = 1;
    for (qreal magnitude = 1; std::ceil(top / step) > kMaxSteps; magnitude *= 10) {
        for (const qreal mantissa : {1, 2, 5}) {
            step = mantissa * magnitude;
            if (std::ceil(top / step) <= kMaxSteps)
                break;
        }
    }
    const int steps = int(std::ceil(top / step));
    axis->setRange(0, steps * step);
    axis->setTickCount(steps + 1);
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

    plot.time = new QValueAxis;
    plot.time->setTitleText(tr("seconds since Run"));
    plot.time->setLabelFormat(u"%.0f"_qs);
    plot.time->setRange(0, kMinimumSpanSeconds);
    plot.time->setTickCount(5);
    plot.value = new QValueAxis;
    plot.value->setTitleText(unit);
    plot.value->setLabelFormat(u"%.0f"_qs);
    fitValueAxis(plot.value, 0);
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
    const qint64 now = (snapshot.taken.isValid() ? snapshot.taken : QDateTime::currentDateTime()).toMSecsSinceEpoch();
    if (m_originMs < 0)
        m_originMs = now;
    if (m_lastSampleMs >= 0 && now - m_lastSampleMs < kSampleMs)
        return;
    const qreal x = qreal(now - m_originMs) / 1000;
    m_lastSampleMs = now;

    for (const mesh::lab::InstanceSnapshot &instance : snapshot.instances) {
        if (instance.counterValue)
            line(m_counter, instance.allocName, instance.allocName)->append(x, qreal(*instance.counterValue));
    }
    for (const mesh::lab::ArrowSnapshot &arrow : snapshot.arrows) {
        mesh::lab::ByteRate &rate = m_rates[arrow.id.value];
        rate.add(now, arrow.bytesSent + arrow.bytesReceived);
        // The first sample of an arrow has no interval: the lab's own figure.
        const qreal perSecond = rate.hasRate() ? rate.perSecond() : arrow.bytesPerSecond;
        line(m_throughput, arrow.id.value, arrow.from + u" → " + arrow.to)->append(x, perSecond);
    }
    for (Plot *plot : {&m_counter, &m_throughput}) {
        const qreal oldest = qMax<qreal>(0, x - kWindowSeconds);
        trim(*plot, oldest);
        plot->time->setRange(oldest, qMax(x, oldest + kMinimumSpanSeconds));
        fitValueAxis(plot->value, maxValue(plot->lines));
    }
}

void ChartsDock::trim(Plot &plot, qreal oldest)
{
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
    m_originMs = -1;
    m_lastSampleMs = -1;
    m_rates.clear();
    for (Plot *plot : {&m_counter, &m_throughput}) {
        plot->chart->removeAllSeries();
        plot->lines.clear();
        plot->time->setRange(0, kMinimumSpanSeconds);
        fitValueAxis(plot->value, 0);
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
