#include "nomadhcltoapi.h"

#include <QDir>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace meshtest {

std::expected<QJsonObject, QString> nomadHclToApi(const QStringList &files)
{
    const QString node = QStandardPaths::findExecutable(u"node"_s);
    const QString tools = QStringLiteral(MESHPAD_SOURCE_DIR "/tests/tools");
    if (node.isEmpty() || !QDir(tools + u"/node_modules/@cdktf/hcl2json"_s).exists())
        return std::unexpected(u"node or tests/tools/node_modules is missing: run `npm ci --prefix tests/tools`"_s);
    QProcess process;
    process.start(node, QStringList{tools + u"/nomad-hcl-to-api.mjs"_s} + files);
    if (!process.waitForFinished(120000) || process.exitCode() != 0)
        return std::unexpected(u"nomad-hcl-to-api.mjs failed: "_s + QString::fromUtf8(process.readAllStandardError()));
    return QJsonDocument::fromJson(process.readAllStandardOutput()).object();
}

} // namespace meshtest
