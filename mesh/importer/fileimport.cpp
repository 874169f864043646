#include "fileimport.h"

#include "hcl/parser.h"
#include "hcl/sourcerange.h"
#include "importer/hclkeyorder_p.h"
#include "nomad/jobspecreader.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSet>

using namespace Qt::StringLiterals;

namespace mesh::importer {

Result<QByteArray> FileImport::readFile(const QString &path)
{
    // QFile opens a directory for reading without complaint; say what it is.
    if (QFileInfo(path).isDir())
        return fail(Error::Code::Io, u"cannot read %1: it is a directory, not a job file"_s.arg(path));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(Error::Code::Io, u"cannot read %1: %2"_s.arg(path, file.errorString()));
    if (file.size() > kMaxFileBytes) {
        return fail(Error::Code::TooLarge, u"%1 is %2 MB; a job file is read up to %3 MB"_s.arg(
                                               path, QString::number(file.size() / (1024 * 1024)),
                                               QString::number(kMaxFileBytes / (1024 * 1024))));
    }
    // One byte past the limit: a file that grows while it is read (or a
    // pipe, whose size is 0) is still refused.
    QByteArray data = file.read(kMaxFileBytes + 1);
    if (file.error() != QFileDevice::NoError)
        return fail(Error::Code::Io, u"cannot read %1: %2"_s.arg(path, file.errorString()));
    if (data.size() > kMaxFileBytes) {
        return fail(Error::Code::TooLarge, u"%1 is over %2 MB; a job file is read up to that"_s.arg(
                                               path, QString::number(kMaxFileBytes / (1024 * 1024))));
    }
    return data;
}

Result<QPair<QString, QString>> FileImport::parseVariable(QStringView text)
{
    const qsizetype equals = text.indexOf(u'=');
    if (equals < 0)
        return fail(Error::Code::Invalid, u"-var \"%1\": expected NAME=VALUE"_s.arg(text));
    const QString name = text.left(equals).trimmed().toString();
    if (name.isEmpty())
        return fail(Error::Code::Invalid, u"-var \"%1\": the NAME before '=' is empty"_s.arg(text));
    return QPair<QString, QString>(name, text.mid(equals + 1).toString());
}

Result<QList<JobSource>> FileImport::readJobs(const QStringList &paths, const Options &options)
{
    if (paths.isEmpty())
        return fail(Error::Code::Invalid, u"no job files given"_s);
    nomad::JobspecReader::Options readerOptions;
    readerOptions.variables = options.variables;
    if (!options.variableFile.isEmpty()) {
        auto variables = readFile(options.variableFile);
        if (!variables)
            return std::unexpected(variables.error());
        readerOptions.variableFile = *variables;
        readerOptions.variableFileName = options.variableFile;
    }

    QList<QByteArray> sources;
    for (const QString &path : paths) {
        auto source = readFile(path);
        if (!source)
            return std::unexpected(source.error());
        sources.append(*source);
    }

    // `nomad job run -var x=1` refuses a variable its one file does not
    // declare (jobspec2 ParseConfig.Strict). Here the same flags go to
    // several files, so each file is read leniently and a variable no file
    // declares is refused once, for all of them — a mistyped name still
    // does not pass unnoticed.
    if (paths.size() > 1) {
        readerOptions.strict = false;
        QSet<QString> declared;
        for (qsizetype i = 0; i < paths.size(); ++i) {
            if (auto file = hcl::Parser::parseFile(sources.at(i), paths.at(i))) {
                for (const hcl::Block &b : file->body.blocks) {
                    if (b.type == u"variable" && !b.labels.isEmpty())
                        declared.insert(b.labels.constFirst());
                }
            }
        }
        for (const auto &[name, value] : std::as_const(options.variables)) {
            if (!declared.contains(name)) {
                return fail(Error::Code::Invalid,
                            u"-var %1: none of the job files declares a variable \"%1\""_s.arg(name));
            }
        }
        if (auto file = hcl::Parser::parseFile(readerOptions.variableFile, options.variableFile)) {
            for (const hcl::Attribute &a : file->body.attributes) {
                if (!declared.contains(a.name)) {
                    return fail(Error::Code::Invalid,
                                hcl::describe(options.variableFile, a.nameRange.start)
                                    + u": none of the job files declares a variable \"%1\""_s.arg(a.name));
                }
            }
        }
    }

    QList<JobSource> jobs;
    QHash<QString, QString> fileOfJob;
    for (qsizetype i = 0; i < paths.size(); ++i) {
        const QString &path = paths.at(i);
        readerOptions.fileName = path;
        // The reader's errors already read "PATH:LINE:COLUMN: …".
        auto job = nomad::JobspecReader::read(sources.at(i), readerOptions);
        if (!job)
            return std::unexpected(job.error());
        // Nomad keys jobs by ID: a second file with the same ID would
        // replace the first on `nomad job run`, so one of them is a mistake.
        const QString id = job->value(u"ID").toString();
        if (const auto other = fileOfJob.constFind(id); other != fileOfJob.constEnd()) {
            return fail(Error::Code::Invalid, u"%1: job \"%2\" is also defined in %3; Nomad knows a job by its ID, "
                                              "so only one of them can be imported"_s.arg(path, id, *other));
        }
        fileOfJob.insert(id, path);
        jobs.append(JobSource{*job, hclKeyOrder(sources.at(i), path)});
    }
    return jobs;
}

Result<JobImporter::Result> FileImport::importFiles(const QStringList &paths, const Options &options)
{
    auto jobs = readJobs(paths, options);
    if (!jobs)
        return std::unexpected(jobs.error());
    return JobImporter::importJobs(*jobs);
}

} // namespace mesh::importer
