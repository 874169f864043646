#pragma once

#include "ids.h"

#include <QList>
#include <QString>

namespace mesh::model {

// One thing wrong (or doubtful) with a design, said so a person can act on
// it, and pointing at what it concerns: an upstream (arrow), else a service,
// else the mesh settings; `field` names the form field ("name",
// "env.COUNTING_SERVICE_URL", "localBindPort").
struct Problem
{
    enum class Severity { Error, Warning };

    Severity severity = Severity::Error;
    QString code; // stable, for tests and filtering: "service.name.invalid"
    QString message;
    ServiceId service;
    UpstreamId upstream;
    QString field;

    bool isError() const { return severity == Severity::Error; }
    friend bool operator==(const Problem &, const Problem &) = default;
};

using Problems = QList<Problem>;

} // namespace mesh::model
