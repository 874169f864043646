#include "hcl1json.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>

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
    QList<Parsed> results(texts.size());
    auto failAll = [&](const QString &error) {
        for (Parsed &p : results)
            p = {std::nullopt, error};
        return results;
    };
    if (texts.isEmpty())
        return results;
    if (const QString why = missing(); !why.isEmpty())
        return failAll(why);

    QTemporaryDir dir;
    if (!dir.isValid())
        return failAll(QStringLiteral("no temporary directory"));
    QStringList files;
    for (qsizetype i = 0; i < texts.size(); ++i) {
        const QString path = dir.filePath(QStringLiteral("f%1.hcl").arg(i));
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(texts.at(i).toUtf8()) < 0)
            return failAll(QStringLiteral("cannot write %1").arg(path));
        files.append(path);
    }

    QProcess helper;
    helper.start(QStringLiteral(MESHPAD_HCL1JSON), files);
    if (!helper.waitForStarted(10000))
        return failAll(QStringLiteral("hcl1json did not start: %1").arg(helper.errorString()));
    if (!helper.waitForFinished(60000)) {
        helper.kill();
        helper.waitForFinished(5000);
        return failAll(QStringLiteral("hcl1json timed out"));
    }
    if (helper.exitStatus() != QProcess::NormalExit || helper.exitCode() != 0)
        return failAll(QStringLiteral("hcl1json failed: %1").arg(QString::fromUtf8(helper.readAllStandardError())));
    const QJsonArray array = QJsonDocument::fromJson(helper.readAllStandardOutput()).array();
    if (array.size() != texts.size())
        return failAll(QStringLiteral("hcl1json gave %1 results for %2 files").arg(array.size()).arg(texts.size()));
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonObject r = array.at(i).toObject();
        if (r.contains(u"json"))
            results[i] = {r.value(u"json").toObject(), {}};
        else
            results[i] = {std::nullopt, r.value(u"error").toString()};
    }
    return results;
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
