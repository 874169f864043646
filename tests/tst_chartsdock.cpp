// The Charts dock fed lab snapshots as a run produces them: the labels its
// value axes draw (a tick each, never repeated) and the throughput it plots.

#include "docks/chartsdock.h"

#include "lab/labsnapshot.h"

#include <QChart>
#include <QLineSeries>
#include <QTest>
#include <QValueAxis>

using meshpad::gui::ChartsDock;

namespace {

// The tick labels a QValueAxis with fixed ticks draws, bottom to top: its
// range cut into tickCount - 1 steps, each printed with its labelFormat.
QStringList valueLabels(const QChart *chart)
{
    const QList<QAbstractAxis *> axes = chart->axes(Qt::Vertical);
    if (axes.size() != 1)
        return {u"%1 vertical axes"_qs.arg(axes.size())};
    const auto *axis = qobject_cast<const QValueAxis *>(axes.constFirst());
    if (!axis || axis->tickType() != QValueAxis::TicksFixed || axis->tickCount() < 2)
        return {u"not a value axis with fixed ticks"_qs};
    const QByteArray format = axis->labelFormat().toLatin1();
    QStringList labels;
    for (int i = 0; i < axis->tickCount(); ++i) {
        const qreal value = axis->min() + i * (axis->max() - axis->min()) / (axis->tickCount() - 1);
        labels.append(QString::asprintf(format.constData(), value));
    }
    return labels;
}

mesh::lab::LabSnapshot snapshotAt(const QDateTime &taken, const QList<std::optional<quint64>> &counts,
                                  quint64 arrowBytes = 0, double labRate = 0)
{
    mesh::lab::LabSnapshot snapshot;
    snapshot.running = true;
    snapshot.taken = taken;
    for (qsizetype i = 0; i < counts.size(); ++i) {
        mesh::lab::InstanceSnapshot instance;
        instance.allocName = u"counting.counting[%1]"_qs.arg(i);
        instance.counterValue = counts.at(i);
        snapshot.instances.append(instance);
    }
    mesh::lab::ArrowSnapshot arrow;
    arrow.id = mesh::model::UpstreamId{u"arrow-1"_qs};
    arrow.from = u"dashboard"_qs;
    arrow.to = u"counting"_qs;
    arrow.bytesSent = arrowBytes / 2;
    arrow.bytesReceived = arrowBytes - arrowBytes / 2;
    arrow.bytesPerSecond = labRate;
    snapshot.arrows.append(arrow);
    return snapshot;
}

} // namespace

class TestChartsDock : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void countAxisLabels_data();
    void countAxisLabels();
    void emptyChartsLabelTheirAxes();
    void throughputIsTheRateBetweenSamples();
};

void TestChartsDock::countAxisLabels_data()
{
    QTest::addColumn<QList<std::optional<quint64>>>("counts");
    QTest::addColumn<QStringList>("labels");

    // Right after Run: three instances, one of which was fetched once.
    QTest::newRow("right after Run") << QList<std::optional<quint64>>{1, 0, 0}
                                     << QStringList{u"0"_qs, u"1"_qs, u"2"_qs};
    QTest::newRow("nothing counted yet") << QList<std::optional<quint64>>{0, 0, 0} << QStringList{u"0"_qs, u"1"_qs};
    QTest::newRow("no counter reads yet")
        << QList<std::optional<quint64>>{std::nullopt} << QStringList{u"0"_qs, u"1"_qs};
    QTest::newRow("a few fetches") << QList<std::optional<quint64>>{7, 3}
                                   << QStringList{u"0"_qs, u"2"_qs, u"4"_qs, u"6"_qs, u"8"_qs};
    QTest::newRow("a busy counter") << QList<std::optional<quint64>>{123, 40}
                                    << QStringList{u"0"_qs, u"50"_qs, u"100"_qs, u"150"_qs};
}

void TestChartsDock::countAxisLabels()
{
    QFETCH(QList<std::optional<quint64>>, counts);
    QFETCH(QStringList, labels);

    ChartsDock dock;
    dock.addSnapshot(snapshotAt(QDateTime::currentDateTimeUtc(), counts));
    const QStringList drawn = valueLabels(dock.counterChart());
    QCOMPARE(drawn, labels);
    QCOMPARE(QSet<QString>(drawn.cbegin(), drawn.cend()).size(), drawn.size());
}

void TestChartsDock::emptyChartsLabelTheirAxes()
{
    ChartsDock dock;
    const QStringList zeroOne{u"0"_qs, u"1"_qs};
    QCOMPARE(valueLabels(dock.counterChart()), zeroOne);
    QCOMPARE(valueLabels(dock.throughputChart()), zeroOne);

    dock.addSnapshot(snapshotAt(QDateTime::currentDateTimeUtc(), {500}));
    dock.clear();
    QCOMPARE(valueLabels(dock.counterChart()), zeroOne);
}

void TestChartsDock::throughputIsTheRateBetweenSamples()
{
    ChartsDock dock;
    const QDateTime start = QDateTime::currentDateTimeUtc();
    // The first sample has no interval of its own: the lab's figure.
    dock.addSnapshot(snapshotAt(start, {1}, 1000, 40));
    // Within the sample interval: not plotted.
    dock.addSnapshot(snapshotAt(start.addMSecs(250), {1}, 1500, 2000));
    dock.addSnapshot(snapshotAt(start.addMSecs(2000), {2}, 4000, 9999));

    const QLineSeries *series = dock.throughputSeries(mesh::model::UpstreamId{u"arrow-1"_qs});
    QVERIFY(series);
    QCOMPARE(series->name(), u"dashboard → counting"_qs);
    QCOMPARE(series->count(), 2);
    QCOMPARE(series->at(0), QPointF(0, 40));
    QCOMPARE(series->at(1), QPointF(2, 1500)); // 3000 bytes in 2 s
    QCOMPARE(valueLabels(dock.throughputChart()),
             (QStringList{u"0"_qs, u"500"_qs, u"1000"_qs, u"1500"_qs, u"2000"_qs}));
}

QTEST_MAIN(TestChartsDock)
#include "tst_chartsdock.moc"
