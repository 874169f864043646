// hcl::Value: cty's number-to-string conversion (what a template or a string
// attribute shows), deep equality, and the JSON form both ways.

#include "hcl/value.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>

using namespace mesh::hcl;
using namespace Qt::StringLiterals;

class TestHclValue : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void numberToString_data()
    {
        QTest::addColumn<double>("number");
        QTest::addColumn<QString>("text");
        QTest::newRow("a port stays an integer") << 1500.0 << u"1500"_s;
        QTest::newRow("a fraction in shortest form") << 0.25 << u"0.25"_s;
        QTest::newRow("0.1 is not 0.1000000000000000055") << 0.1 << u"0.1"_s;
        QTest::newRow("negative") << -1.5 << u"-1.5"_s;
        QTest::newRow("a large number without exponent") << 1e20 << u"100000000000000000000"_s;
        QTest::newRow("a small number without exponent") << 1e-7 << u"0.0000001"_s;
        QTest::newRow("negative zero prints as 0") << -0.0 << u"0"_s;
        QTest::newRow("2^53") << 9007199254740992.0 << u"9007199254740992"_s;
        QTest::newRow("memory in bytes") << 268435456.0 << u"268435456"_s;
    }

    void numberToString()
    {
        QFETCH(double, number);
        QFETCH(QString, text);
        QCOMPARE(Value::number(number).convertToString(), std::optional<QString>(text));
    }

    void otherConversions()
    {
        QCOMPARE(Value::boolean(true).convertToString(), std::optional<QString>(u"true"_s));
        QCOMPARE(Value::boolean(false).convertToString(), std::optional<QString>(u"false"_s));
        QCOMPARE(Value::string(u"x y"_s).convertToString(), std::optional<QString>(u"x y"_s));
        QVERIFY(!Value().convertToString());
        QVERIFY(!Value::tuple({Value::string(u"a"_s)}).convertToString());
        QVERIFY(!Value::object({}).convertToString());
    }

    void accessorsOfOtherTypesGiveDefaults()
    {
        const Value s = Value::string(u"1"_s);
        QCOMPARE(s.type(), Value::Type::String);
        QCOMPARE(s.toNumber(), 0.0);
        QCOMPARE(s.toBool(), false);
        QVERIFY(s.toTuple().isEmpty());
        QVERIFY(s.toObject().isEmpty());
        QCOMPARE(Value::number(2).toString(), QString());
        QVERIFY(Value().isNull());
        QVERIFY(Value::null().isNull());
    }

    void typeNames()
    {
        QCOMPARE(Value().typeName(), u"null");
        QCOMPARE(Value::boolean(true).typeName(), u"bool");
        QCOMPARE(Value::number(1).typeName(), u"number");
        QCOMPARE(Value::string({}).typeName(), u"string");
        QCOMPARE(Value::tuple({}).typeName(), u"tuple");
        QCOMPARE(Value::object({}).typeName(), u"object");
    }

    void equality_data()
    {
        QTest::addColumn<Value>("a");
        QTest::addColumn<Value>("b");
        QTest::addColumn<bool>("equal");
        const Value nested = Value::object({{u"ports"_s, Value::tuple({Value::number(80), Value::number(443)})}});
        QTest::newRow("null equals null") << Value() << Value() << true;
        QTest::newRow("number and its string differ") << Value::number(1) << Value::string(u"1"_s) << false;
        QTest::newRow("0 equals -0") << Value::number(0) << Value::number(-0.0) << true;
        QTest::newRow("bools") << Value::boolean(true) << Value::boolean(false) << false;
        QTest::newRow("a nested copy is equal")
            << nested << Value::object({{u"ports"_s, Value::tuple({Value::number(80), Value::number(443)})}}) << true;
        QTest::newRow("a deep difference is seen")
            << nested << Value::object({{u"ports"_s, Value::tuple({Value::number(80), Value::number(8443)})}}) << false;
        QTest::newRow("tuple order matters") << Value::tuple({Value::number(1), Value::number(2)})
                                             << Value::tuple({Value::number(2), Value::number(1)}) << false;
        QTest::newRow("an empty tuple is not an empty object") << Value::tuple({}) << Value::object({}) << false;
        QTest::newRow("null is not an empty string") << Value() << Value::string({}) << false;
    }

    void equality()
    {
        QFETCH(Value, a);
        QFETCH(Value, b);
        QFETCH(bool, equal);
        QCOMPARE(a == b, equal);
        QCOMPARE(b == a, equal);
        QVERIFY(a == a);
    }

    void copiesShareButStayValues()
    {
        Value::Tuple items{Value::string(u"a"_s)};
        const Value t = Value::tuple(items);
        const Value copy = t;
        items.append(Value::string(u"b"_s));
        QCOMPARE(t.toTuple().size(), 1);
        QCOMPARE(copy, t);
    }

    void jsonRoundTrip()
    {
        const QByteArray text = R"({"job": {"name": "web", "count": 3, "weight": 0.5, "enabled": true,
            "meta": null, "tags": ["a", 1, false, [], {}]}})";
        const QJsonObject json = QJsonDocument::fromJson(text).object();
        const Value v = Value::fromJson(json);
        QCOMPARE(v.type(), Value::Type::Object);
        const Value job = v.toObject().value(u"job"_s);
        QCOMPARE(job.toObject().value(u"name"_s), Value::string(u"web"_s));
        QCOMPARE(job.toObject().value(u"count"_s), Value::number(3));
        QCOMPARE(job.toObject().value(u"weight"_s), Value::number(0.5));
        QCOMPARE(job.toObject().value(u"enabled"_s), Value::boolean(true));
        QVERIFY(job.toObject().contains(u"meta"_s));
        QVERIFY(job.toObject().value(u"meta"_s).isNull());
        const Value::Tuple tags = job.toObject().value(u"tags"_s).toTuple();
        QCOMPARE(tags.size(), 5);
        QCOMPARE(tags.at(3), Value::tuple({}));
        QCOMPARE(tags.at(4), Value::object({}));
        QCOMPARE(v.toJson().toObject(), json);
        QCOMPARE(Value::fromJson(v.toJson()), v);
    }

    void jsonScalars()
    {
        QCOMPARE(Value().toJson(), QJsonValue(QJsonValue::Null));
        QCOMPARE(Value::fromJson(QJsonValue(QJsonValue::Undefined)), Value());
        QCOMPARE(Value::number(1e20).toJson(), QJsonValue(1e20));
        QCOMPARE(Value::string(u"ü"_s).toJson(), QJsonValue(u"ü"_s));
        QCOMPARE(Value::fromJson(QJsonValue(false)), Value::boolean(false));
    }
};

QTEST_GUILESS_MAIN(TestHclValue)
#include "tst_hclvalue.moc"
