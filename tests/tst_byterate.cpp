// ByteRate: the one bytes-per-second figure the lab's snapshots, the canvas's
// arrows and the Charts dock show, from samples of a growing byte total.

#include "lab/byterate.h"

#include <QTest>

#include <chrono>

using mesh::lab::ByteRate;
using namespace std::chrono_literals;

struct Sample
{
    qint64 ms;
    quint64 total;
};
Q_DECLARE_METATYPE(QList<Sample>)

class TestByteRate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rate_data();
    void rate();
};

void TestByteRate::rate_data()
{
    QTest::addColumn<qint64>("windowMs");
    QTest::addColumn<QList<Sample>>("samples");
    QTest::addColumn<bool>("hasRate");
    QTest::addColumn<double>("perSecond");

    QTest::newRow("nothing sampled yet") << qint64(0) << QList<Sample>{} << false << 0.0;
    QTest::newRow("one sample has no interval") << qint64(0) << QList<Sample>{{1000, 500}} << false << 0.0;
    QTest::newRow("two samples at the same time") << qint64(0) << QList<Sample>{{1000, 0}, {1000, 500}} << false << 0.0;
    QTest::newRow("1000 bytes in half a second") << qint64(0) << QList<Sample>{{0, 0}, {500, 1000}} << true << 2000.0;
    QTest::newRow("idle arrow reads zero") << qint64(0) << QList<Sample>{{0, 4096}, {250, 4096}} << true << 0.0;
    QTest::newRow("without a window only the last interval counts")
        << qint64(0) << QList<Sample>{{0, 0}, {250, 10'000}, {500, 10'000}} << true << 0.0;
    // A dashboard fetching once a second: bursts every fourth 250 ms sample.
    QTest::newRow("a 2 s window smooths a fetch a second")
        << qint64(2000)
        << QList<Sample>{{0, 0},      {250, 100},  {500, 100},  {750, 100},  {1000, 100}, {1250, 200}, {1500, 200},
                         {1750, 200}, {2000, 200}, {2250, 300}, {2500, 300}, {2750, 300}, {3000, 300}}
        << true << 100.0;
    QTest::newRow("a total that went down starts over")
        << qint64(0) << QList<Sample>{{0, 0}, {1000, 5000}, {2000, 10}} << false << 0.0;
    QTest::newRow("and reads again from the next sample")
        << qint64(0) << QList<Sample>{{0, 0}, {1000, 5000}, {2000, 10}, {3000, 1010}} << true << 1000.0;
}

void TestByteRate::rate()
{
    QFETCH(qint64, windowMs);
    QFETCH(QList<Sample>, samples);
    QFETCH(bool, hasRate);
    QFETCH(double, perSecond);

    ByteRate rate{std::chrono::milliseconds(windowMs)};
    for (const Sample &sample : samples)
        rate.add(sample.ms, sample.total);
    QCOMPARE(rate.hasRate(), hasRate);
    QCOMPARE(rate.perSecond(), perSecond);

    rate.clear();
    QVERIFY(!rate.hasRate());
    QCOMPARE(rate.perSecond(), 0.0);
}

QTEST_GUILESS_MAIN(TestByteRate)
#include "tst_byterate.moc"
