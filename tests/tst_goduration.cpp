// mesh::parseGoDuration against Go's time.ParseDuration: what Consul and
// Nomad accept for ?wait=, check intervals and timeouts (the rows' expected
// values are what Go returns for the same text).

#include "core/goduration.h"

#include <QTest>

using namespace std::chrono_literals;

class TestGoDuration final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parses_data();
    void parses();
    void refuses_data();
    void refuses();
    void formats_data();
    void formats();
};

void TestGoDuration::parses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("nanoseconds");
    QTest::newRow("zero without a unit") << QStringLiteral("0") << qint64(0);
    QTest::newRow("what the api clients send for ?wait=") << QStringLiteral("300000ms") << qint64(300'000'000'000);
    QTest::newRow("Consul's default wait") << QStringLiteral("5m") << qint64(300'000'000'000);
    QTest::newRow("compound") << QStringLiteral("1m30s") << qint64(90'000'000'000);
    QTest::newRow("hours minutes") << QStringLiteral("2h45m") << qint64(9'900'000'000'000);
    QTest::newRow("fraction") << QStringLiteral("1.5s") << qint64(1'500'000'000);
    QTest::newRow("leading dot") << QStringLiteral(".5s") << qint64(500'000'000);
    QTest::newRow("microseconds, ascii") << QStringLiteral("250us") << qint64(250'000);
    QTest::newRow("microseconds, micro sign") << QStringLiteral("250\u00b5s") << qint64(250'000);
    QTest::newRow("nanoseconds") << QStringLiteral("42ns") << qint64(42);
    QTest::newRow("negative") << QStringLiteral("-1.5h") << qint64(-5'400'000'000'000);
    QTest::newRow("plus sign") << QStringLiteral("+10s") << qint64(10'000'000'000);
}

void TestGoDuration::parses()
{
    QFETCH(QString, text);
    QFETCH(qint64, nanoseconds);
    const auto parsed = mesh::parseGoDuration(text);
    QVERIFY2(parsed.has_value(), qPrintable(text));
    QCOMPARE(parsed->count(), nanoseconds);
}

void TestGoDuration::refuses_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << QString();
    QTest::newRow("a number without a unit") << QStringLiteral("10");
    QTest::newRow("unknown unit") << QStringLiteral("1d");
    QTest::newRow("space") << QStringLiteral("5 s");
    QTest::newRow("unit without a number") << QStringLiteral("ms");
    QTest::newRow("sign alone") << QStringLiteral("-");
    QTest::newRow("dot alone") << QStringLiteral(".s");
    QTest::newRow("beyond int64 nanoseconds") << QStringLiteral("9999999h");
}

void TestGoDuration::refuses()
{
    QFETCH(QString, text);
    QVERIFY2(!mesh::parseGoDuration(text).has_value(), qPrintable(text));
}

void TestGoDuration::formats_data()
{
    QTest::addColumn<qint64>("nanoseconds");
    QTest::addColumn<QString>("text");
    QTest::newRow("zero") << qint64(0) << QStringLiteral("0s");
    QTest::newRow("nanoseconds") << qint64(42) << QStringLiteral("42ns");
    QTest::newRow("microseconds") << qint64(1'500) << QStringLiteral("1.5\u00b5s");
    QTest::newRow("milliseconds") << qint64(250'000'000) << QStringLiteral("250ms");
    QTest::newRow("seconds with a fraction") << qint64(1'500'000'000) << QStringLiteral("1.5s");
    QTest::newRow("Nomad's restart delay") << qint64(15'000'000'000) << QStringLiteral("15s");
    QTest::newRow("Nomad's restart interval") << qint64(1'800'000'000'000) << QStringLiteral("30m0s");
    QTest::newRow("hours") << qint64(3'723'000'000'000) << QStringLiteral("1h2m3s");
    QTest::newRow("negative") << qint64(-90'000'000'000) << QStringLiteral("-1m30s");
}

void TestGoDuration::formats()
{
    QFETCH(qint64, nanoseconds);
    QFETCH(QString, text);
    QCOMPARE(mesh::formatGoDuration(std::chrono::nanoseconds(nanoseconds)), text);
    // What Go prints, Go parses back.
    QCOMPARE(mesh::parseGoDuration(text)->count(), nanoseconds);
}

QTEST_GUILESS_MAIN(TestGoDuration)
#include "tst_goduration.moc"
