// Bodies of `POST /v1/jobs` to the lab's Nomad API, down the path
// NomadApi::registerJob and planJob take: GoJsonDecoder::decodeBody into
// api.JobRegisterRequest (Go's encoding/json, unknown keys dropped), then
// JobSpec::canonicalize, JobSpec::validate, and for a valid job
// JobSpec::runModel (what the lab runs) and JobDiff (the plan's diff).
// Checked besides not crashing:
// - a refused body says why;
// - canonicalize() is idempotent, and a canonical job read back and
//   registered again (decoded as api.Job, canonicalized) is unchanged, as
//   JobSpec promises;
// - every service runModel() makes of a valid job names its job and group;
// - a job diffed against itself is Type "None"; against nothing, "Added".

#include "fuzzcheck.h"

#include "lab/nomad/gojsondecoder.h"
#include "lab/nomad/jobdiff.h"
#include "lab/nomad/jobspec.h"

#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <cstddef>
#include <cstdint>

using fuzz::require;
using mesh::lab::nomad::GoJsonDecoder;
using mesh::lab::nomad::JobDiff;
using mesh::lab::nomad::JobSpec;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    // The decoder's schema is a resource of meshlab: without it every body
    // would be refused and the target would test nothing.
    const auto decoded = GoJsonDecoder::nomadApi().decodeBody(
        QByteArrayView(R"({"Job": {"ID": "x", "TaskGroups": []}})"), QStringLiteral("JobRegisterRequest"));
    require(decoded.has_value() && decoded->value(u"Job").toObject().contains(u"TaskGroups"),
            "the compiled-in Nomad api schema loads");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // Not copied: a read past the input is the sanitizer's to see.
    const QByteArrayView body(reinterpret_cast<const char *>(data), qsizetype(size));
    const GoJsonDecoder &decoder = GoJsonDecoder::nomadApi();
    const auto request = decoder.decodeBody(body, QStringLiteral("JobRegisterRequest"));
    if (!request) {
        require(!request.error().message.isEmpty(), "a refusal says why");
        return 0;
    }
    if (!request->value(u"Job").isObject())
        return 0; // "Job must be specified"

    const QJsonObject job = JobSpec::canonicalize(request->value(u"Job").toObject());
    require(JobSpec::canonicalize(job) == job, "canonicalize() is idempotent");
    const QString id = job.value(u"ID").toString();
    if (id.isEmpty())
        return 0; // "Job ID hasn't been provided", before validation

    const QStringList errors = JobSpec::validate(job);
    if (!errors.isEmpty()) {
        require(!JobSpec::multierrorText(errors).isEmpty(), "an invalid job says why");
        return 0;
    }

    // What `GET /v1/job/:id` shows, registered again.
    const auto readBack = decoder.decodeObject(job, QStringLiteral("Job"));
    require(readBack.has_value(), "a canonical job decodes as api.Job");
    require(JobSpec::specOf(JobSpec::canonicalize(*readBack)) == JobSpec::specOf(job),
            "a job read back and registered again is unchanged");

    const auto model = JobSpec::runModel(job);
    for (const auto &service : model.services) {
        require(!service.job.isEmpty(), "a run service names its job");
        require(!service.group.isEmpty(), "a run service names its group");
    }

    const QJsonObject spec = JobSpec::specOf(job);
    const QJsonObject same = JobDiff::diff(spec, spec, id);
    require(same.value(u"Type").toString() == u"None", "a job diffed against itself is Type None");
    const QJsonObject added = JobDiff::diff(QJsonObject(), spec, id);
    require(added.value(u"Type").toString() == u"Added", "a new job diffs as Type Added");
    return 0;
}
