#include "clusterimport.h"

#include "api/apiclient.h"
#include "api/canceltoken.h"
#include "api/jsonfields.h"
#include "api/queryoptions.h"
#include "consul/consulclient.h"
#include "deploy/ownership.h"
#include "importer/hclkeyorder_p.h"
#include "nomad/nomadclient.h"

#include <QJsonArray>
#include <QSet>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace mesh::importer {

using deploy::Ownership;

namespace {

constexpr QStringView kIntentionsKind = u"service-intentions";

// What a refusal means in ACL terms, so the person knows which policy to
// change: Nomad's job list and job read need the namespace capabilities
// list-jobs and read-job (https://developer.hashicorp.com/nomad/api-docs/jobs,
// "ACL Required"), which a namespace policy of "read" grants; reading a
// service-intentions entry needs intentions:read on its destination
// (https://developer.hashicorp.com/consul/api-docs/config, "ACL Required").
QString permissionHint(QStringView product)
{
    if (product == u"Nomad")
        return u" — the Nomad token (NOMAD_TOKEN) needs the list-jobs and read-job capabilities in the "
               "namespace, as `namespace \"default\" { policy = \"read\" }` grants"_s;
    return u" — the Consul token (CONSUL_HTTP_TOKEN) needs intentions:read, as "
           "`service_prefix \"\" { intentions = \"read\" }` grants"_s;
}

// Meshpad's ownership marks taken out of a job: they say who deployed it,
// not what it is (deploy::Ownership).
QString takeOwnership(QJsonObject &job)
{
    QJsonObject meta = job.value(u"Meta").toObject();
    const QString design = Ownership::designOf(meta);
    if (design.isEmpty())
        return {};
    meta.remove(Ownership::designKey());
    meta.remove(Ownership::versionKey());
    if (meta.isEmpty())
        job.remove(u"Meta"_s);
    else
        job.insert(u"Meta"_s, meta);
    return design;
}

void takeOwnershipOfEntry(QJsonObject &entry)
{
    QJsonObject meta = entry.value(u"Meta").toObject();
    if (!Ownership::designOf(meta).isEmpty()) {
        meta.remove(Ownership::designKey());
        meta.remove(Ownership::versionKey());
        if (meta.isEmpty())
            entry.remove(u"Meta"_s);
        else
            entry.insert(u"Meta"_s, meta);
    }
    QJsonArray sources = entry.value(u"Sources").toArray();
    for (qsizetype i = 0; i < sources.size(); ++i) {
        QJsonObject source = sources.at(i).toObject();
        if (!Ownership::designOfSource(source).isEmpty()) {
            source.remove(u"Description"_s);
            sources.replace(i, source);
        }
    }
    entry.insert(u"Sources"_s, sources);
}

ImportNote skippedNote(const QString &job, const QString &why)
{
    return ImportNote{job, QString(), u"not imported: "_s + why};
}

} // namespace

ClusterImport::ClusterImport(consul::ConsulClient *consul, nomad::NomadClient *nomad)
    : m_consul(consul)
    , m_nomad(nomad)
{
}

QCoro::Task<Result<JobImporter::Result>> ClusterImport::run(Options options)
{
    const QString target = options.targetName.isEmpty() ? u"the cluster"_s : options.targetName;

    // One token for every request: the deadline and the caller's token both
    // fire it. (QCoro 0.8 cannot cancel a Task; the token aborts the
    // running request instead.)
    api::CancelToken token;
    bool timedOut = false;
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &token, [&timedOut, &token] {
        timedOut = true;
        token.cancel();
    });
    deadline.start(options.timeout);
    if (options.cancel) {
        if (options.cancel->isCancelled())
            token.cancel();
        QObject::connect(options.cancel.data(), &api::CancelToken::cancelled, &token, &api::CancelToken::cancel);
    }

    const auto failure = [&](const Error &error, QStringView product) -> Error {
        if (error.code == Error::Code::Cancelled && timedOut) {
            const double seconds = double(options.timeout.count()) / 1000.0;
            return Error{Error::Code::Timeout,
                         u"importing from %1: no complete answer within %2 s (is the cluster up and reachable?)"_s.arg(
                             target, QString::number(seconds))};
        }
        QString message = u"importing from %1: %2"_s.arg(target, error.message);
        if (error.code == Error::Code::PermissionDenied)
            message += permissionHint(product);
        return Error{error.code, message, error.httpStatus};
    };

    // Options as a named local, never a braced temporary inside co_await:
    // GCC 12 destroys those twice (see deploy/planner.cpp).
    api::QueryOptions query;
    query.cancel = &token;

    JobImporter::Result out;
    QList<JobSource> jobs;
    QStringList wanted = options.jobIds;
    if (wanted.isEmpty()) {
        auto stubs = co_await m_nomad->jobs(QString(), query);
        if (!stubs)
            co_return std::unexpected(failure(stubs.error(), u"Nomad"));
        QList<QJsonObject> sorted;
        for (const QJsonValue &value : std::as_const(stubs->value))
            sorted.append(value.toObject());
        std::sort(sorted.begin(), sorted.end(), [](const QJsonObject &a, const QJsonObject &b) {
            return a.value(u"ID").toString() < b.value(u"ID").toString();
        });
        for (const QJsonObject &stub : std::as_const(sorted)) {
            const QString id = stub.value(u"ID").toString();
            const QString type = stub.value(u"Type").toString();
            // Dispatched and periodic runs: their parent is listed (and
            // noted) itself.
            if (!stub.value(u"ParentID").toString().isEmpty())
                continue;
            if (!type.isEmpty() && type != u"service") {
                out.notes.append(skippedNote(id, u"a %1 job; Meshpad imports service jobs (name it with -job to "
                                                 "import it anyway)"_s.arg(type)));
                continue;
            }
            if (stub.value(u"Stop").toBool()) {
                out.notes.append(skippedNote(id, u"stopped (nomad job stop); name it with -job to import it "
                                                 "anyway"_s));
                continue;
            }
            wanted.append(id);
        }
    }

    QSet<QString> seen;
    QSet<QString> designs;
    bool unowned = false;
    for (const QString &id : std::as_const(wanted)) {
        if (seen.contains(id))
            continue;
        seen.insert(id);
        auto job = co_await m_nomad->job(id, query);
        if (!job && job.error().code == Error::Code::NotFound) {
            if (!options.jobIds.isEmpty()) {
                co_return std::unexpected(Error{Error::Code::NotFound,
                                                u"importing from %1: Nomad has no job \"%2\" (nomad job status lists "
                                                "the jobs there are)"_s.arg(target, id),
                                                job.error().httpStatus});
            }
            // Listed a moment ago, purged since: what is there now is imported.
            out.notes.append(skippedNote(id, u"purged from Nomad while it was being imported"_s));
            continue;
        }
        if (!job)
            co_return std::unexpected(failure(job.error(), u"Nomad"));
        QJsonObject value = job->value;
        if (value.value(u"ID").toString() != id) {
            co_return std::unexpected(
                Error{Error::Code::Parse, u"importing from %1: Nomad answered GET /v1/job/%2 with a job whose ID is "
                                          "\"%3\""_s.arg(target, id, value.value(u"ID").toString())});
        }
        const QString design = takeOwnership(value);
        if (design.isEmpty())
            unowned = true;
        else
            designs.insert(design);

        // Nomad keeps env and meta as Go maps (sorted in JSON), but since
        // 1.6 also the source a job version was submitted with
        // (hashicorp/nomad: command/agent/job_endpoint.go
        // jobSubmissionQuery; 404 "job source not found" without one): its
        // HCL gives back the order they were written in. Only a better
        // order is at stake, so any error but giving up is ignored.
        JobSource source{value, {}};
        api::ApiRequest request = api::ApiRequest::get(u"/v1/job/"_s + api::ApiRequest::segment(id) + u"/submission"_s);
        request.query.addQueryItem(u"version"_s, QString::number(value.value(u"Version").toInteger()));
        request.retryable = false;
        auto submission = co_await m_nomad->api()->query<QJsonObject>(request, query, api::objectFrom);
        if (!submission && submission.error().code == Error::Code::Cancelled)
            co_return std::unexpected(failure(submission.error(), u"Nomad"));
        if (submission && submission->value.value(u"Format").toString() == u"hcl2")
            source.keyOrder = hclKeyOrder(submission->value.value(u"Source").toString().toUtf8(), id);
        jobs.append(source);
    }

    auto entries = co_await m_consul->configEntries(kIntentionsKind.toString(), query);
    if (!entries)
        co_return std::unexpected(failure(entries.error(), u"Consul"));
    QList<QJsonObject> intentions = entries->value;
    for (QJsonObject &entry : intentions)
        takeOwnershipOfEntry(entry);

    JobImporter::Result imported = JobImporter::importJobs(jobs, intentions);
    out.design = std::move(imported.design);
    out.notes += imported.notes;
    if (!unowned && designs.size() == 1)
        out.design.name = *designs.constBegin();
    co_return out;
}

} // namespace mesh::importer
