#include "parserbatch.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>

namespace meshtest {

QList<ParserBatch::Parsed> ParserBatch::run(const QString &name, const QString &program, const QStringList &arguments,
                                            const QString &workingDirectory, const QStringList &texts, int timeoutMs,
                                            bool *ran)
{
    if (ran)
        *ran = false;
    QList<Parsed> results(texts.size());
    auto failAll = [&](const QString &error) {
        for (Parsed &p : results)
            p = {std::nullopt, error};
        return results;
    };
    if (texts.isEmpty())
        return results;

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
    if (!workingDirectory.isEmpty())
        helper.setWorkingDirectory(workingDirectory);
    helper.start(program, arguments + files);
    if (!helper.waitForStarted(10000))
        return failAll(QStringLiteral("%1 did not start: %2").arg(name, helper.errorString()));
    if (!helper.waitForFinished(timeoutMs)) {
        helper.kill();
        helper.waitForFinished(5000);
        return failAll(QStringLiteral("%1 timed out").arg(name));
    }
    const QByteArray output = helper.readAllStandardOutput();
    if (helper.exitStatus() != QProcess::NormalExit || helper.exitCode() != 0)
        return failAll(QStringLiteral("%1 failed: %2").arg(name, QString::fromUtf8(helper.readAllStandardError())));
    const QJsonArray array = QJsonDocument::fromJson(output).array();
    if (array.size() != texts.size())
        return failAll(QStringLiteral("%1 gave %2 results for %3 files").arg(name).arg(array.size()).arg(texts.size()));
    if (ran)
        *ran = true;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonObject r = array.at(i).toObject();
        if (r.contains(u"json"))
            results[i] = {r.value(u"json").toObject(), {}};
        else
            results[i] = {std::nullopt, r.value(u"error").toString()};
    }
    return results;
}

} // namespace meshtest
