#pragma once

#include "core/result.h"
#include "importer/jobimporter.h"
#include "model/projectfile.h"

#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QStringView>

namespace mesh::importer {

// Nomad job files → a design, as `meshpad import JOB.hcl…` and File › Import
// Nomad Jobs… do it: every file is read (at most kMaxFileBytes, the project
// file's limit), parsed with nomad::JobspecReader under the same variables,
// and all jobs are imported together with JobImporter, so that an arrow from
// a job in one file to a service in another is found.
//
// All or nothing: the first error is the result and there is no design — a
// file that cannot be read ("cannot read FILE: reason"), a syntax or
// decoding error ("FILE:LINE:COLUMN: what was expected"), two files holding
// the same job ID, a -var or var-file variable that no file declares (with
// one file, the reader's strict check, as `nomad job run`; with several,
// each file is read leniently and the check is made across all of them).
// Every job named is imported, whatever its type: unlike ClusterImport,
// nothing is left out for being a batch job — the user picked the files.
// The order env and meta were written in comes along (JobSource::keyOrder),
// so that generate → import → generate is byte for byte.
class FileImport final
{
public:
    static constexpr qint64 kMaxFileBytes = model::ProjectFile::kMaxFileBytes;

    struct Options
    {
        // -var NAME=VALUE, in the order given (a later one wins); the same
        // for every file, as `nomad job run -var` applies them to its one.
        QList<QPair<QString, QString>> variables;
        // -var-file FILE: `name = value` lines; empty = none. -var wins.
        QString variableFile;
    };

    static Result<JobImporter::Result> importFiles(const QStringList &paths, const Options &options = {});
    // The API-form jobs alone, in the order of `paths`, with the order their
    // env and meta maps were written in.
    static Result<QList<JobSource>> readJobs(const QStringList &paths, const Options &options = {});

    // "NAME=VALUE" as -var takes it: split at the first '=', so a VALUE may
    // hold '='; Invalid without '=' or with an empty NAME.
    static Result<QPair<QString, QString>> parseVariable(QStringView text);
    // A file's bytes, or Io ("cannot read FILE: reason") / TooLarge.
    static Result<QByteArray> readFile(const QString &path);
};

} // namespace mesh::importer
