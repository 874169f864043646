#include "hcl1json.h"

#include <QFileInfo>
#include <QJsonArray>

namespace meshtest {

namespace {

QJsonValue patchValue(const QString &name, const QJsonValue &v, const QStringList &skip, QString *error)
{
    if (v.isObject()) {
        const QJsonObject object = v.toObject();
        QJsonObject out;
        for (auto it = object.begin(); it != object.end(); ++it) {
            const QString key = name.isEmpty() ? it.key() : name + u'.' + it.key();
            out.insert(it.key(), patchValue(key, it.value(), skip, error));
        }
        return out;
    }
    if (v.isArray()) {
        QJsonArray array = v.toArray();
        if (array.isEmpty())
            return QJsonValue::Null;
        if (skip.contains(name.toLower())) {
            for (qsizetype i = 0; i < array.size(); ++i)
                array[i] = patchValue(name, array[i], skip, error);
            return array;
        }
        if (!array.first().isObject())
            return array;
        if (array.size() > 1) {
            *error = name + QStringLiteral(": []map[string]interface{} with more than one element not supported");
            return array;
        }
        return patchValue(name, array.first(), skip, error);
    }
    return v;
}

} // namespace

QString Hcl1Json::missing()
{
    if (const QString why = QStringLiteral(MESHPAD_HCL1JSON_MISSING); !why.isEmpty())
        return why;
    if (!QFileInfo(QStringLiteral(MESHPAD_HCL1JSON)).isExecutable())
        return QStringLiteral(MESHPAD_HCL1JSON " was not built: build the test target through CMake "
                                               "(it depends on meshpad_hcl1json), after packaging/install-deps.sh");
    return {};
}

QList<Hcl1Json::Parsed> Hcl1Json::parse(const QStringList &texts)
{
    if (const QString why = missing(); !why.isEmpty() && !texts.isEmpty())
        return QList<Parsed>(texts.size(), Parsed{std::nullopt, why});
    return ParserBatch::run(QStringLiteral("hcl1json"), QStringLiteral(MESHPAD_HCL1JSON), {}, {}, texts, 60000);
}

Hcl1Json::Parsed Hcl1Json::parse(const QString &text)
{
    return parse(QStringList{text}).first();
}

QJsonObject Hcl1Json::patchSliceOfMaps(const QJsonObject &raw, const QStringList &skip, QString *error)
{
    QStringList lower;
    for (const QString &s : skip)
        lower.append(s.toLower());
    return patchValue(QString(), raw, lower, error).toObject();
}

QStringList Hcl1Json::consulServiceSkipPaths()
{
    return {
        QStringLiteral("service.checks"),
        QStringLiteral("services"),
        QStringLiteral("services.checks"),
        QStringLiteral("service.connect.proxy.upstreams"),
        QStringLiteral("services.connect.proxy.upstreams"),
        QStringLiteral("service.proxy.upstreams"),
        QStringLiteral("services.proxy.upstreams"),
        QStringLiteral("service.connect.sidecar_service.checks"),
        QStringLiteral("services.connect.sidecar_service.checks"),
        QStringLiteral("service.connect.sidecar_service.proxy.upstreams"),
        QStringLiteral("services.connect.sidecar_service.proxy.upstreams"),
    };
}

} // namespace meshtest
