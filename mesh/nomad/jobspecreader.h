#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

namespace mesh::nomad {

// Reads a Nomad jobspec (HCL2, as `nomad job run` and jobspec2 read it:
// hashicorp/nomad jobspec2/parse.go) into the job in the HTTP API's JSON
// form — what POST /v1/jobs/parse answers with Canonicalize false: the
// fields the file sets (JSON names of the api structs), durations as integer
// nanoseconds, Name = ID when unset, `port "x" { static = N }` moved to
// ReservedPorts, templates and vault blocks with jobspec2's defaults; no
// other defaults (JobSpec-style canonicalization is the caller's choice).
// `variable` blocks with defaults, `-var NAME=VALUE` overrides (a value is
// read as HCL when the variable's type is not string or number, as jobspec2
// does), a var-file, `locals`; references Nomad resolves at runtime
// (${NOMAD_PORT_http}, ${attr.…}, ${node.…}, ${meta.…}) stay the text Nomad
// receives.
// Errors carry FILE:LINE:COLUMN and say what was expected, one diagnostic a
// line (Error::Parse for syntax, Error::Invalid for the rest); a file with
// any error yields no job. `dynamic` blocks expand as hashicorp/hcl's
// dynblock expands them. Not read (an error, never silently dropped):
// task `secret` and `schedule` blocks, HCL's JSON syntax.
class JobspecReader final
{
public:
    struct Options
    {
        QString fileName = QStringLiteral("job.nomad.hcl"); // for messages
        QList<QPair<QString, QString>> variables;           // -var NAME=VALUE, in order (later wins)
        // A var-file's text (`name = value` lines), as `-var-file` and the
        // `Variables` field of /v1/jobs/parse give it; -var flags win over it.
        QByteArray variableFile;
        QString variableFileName = QStringLiteral("vars.hcl"); // for messages
        // A -var or var-file value for a variable the jobspec does not
        // declare is an error (the CLI's strict mode); false ignores it, as
        // /v1/jobs/parse does (jobspec2 ParseConfig.Strict).
        bool strict = true;
    };

    static Result<QJsonObject> read(const QByteArray &source, const Options &options);
};

} // namespace mesh::nomad
