#include "nomadapi.h"

#include "core/goduration.h"
#include "gojsondecoder.h"
#include "jobspec.h"
#include "nomad/jobspecreader.h"

#include <QJsonDocument>
#include <QUrl>
#include <QUrlQuery>

#include <cmath>

using namespace Qt::StringLiterals;

namespace mesh::lab::nomad {

namespace {

using Table = NomadState::Table;

// ?wait= as Nomad reads it: Go's time.ParseDuration.
std::optional<qint64> parseGoDurationMs(const QString &text)
{
    const auto wait = parseGoDuration(text);
    if (!wait)
        return std::nullopt;
    return std::chrono::duration_cast<std::chrono::milliseconds>(*wait).count();
}

QByteArray toJson(const QJsonValue &value, bool pretty)
{
    const QJsonDocument::JsonFormat format = pretty ? QJsonDocument::Indented : QJsonDocument::Compact;
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(format);
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(format);
    if (value.isNull())
        return "null";
    // A bare string (status/leader): QJsonDocument has no scalar documents.
    QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

QStringList segments(const QByteArray &path)
{
    QStringList out;
    for (const QByteArray &part : path.split('/')) {
        if (!part.isEmpty())
            out.append(QUrl::fromPercentEncoding(part));
    }
    return out;
}

} // namespace

NomadApi::NomadApi(NomadState *state, const QString &nodeName, QObject *parent)
    : QObject(parent)
    , m_state(state)
    , m_nodeName(nodeName)
    , m_blocking(new BlockingQueries(this))
{
    // NomadState says that something changed, not what: every parked read
    // compares its own table's index.
    connect(state, &NomadState::changed, m_blocking, [this] { m_blocking->wake(); });
}

NomadApi::~NomadApi() = default;

void NomadApi::handle(const apps::http::Request &request, apps::http::Response &response)
{
    const QByteArray target = request.target.toByteArray();
    const qsizetype q = target.indexOf('?');
    Call call{request.method.toByteArray(), request.path.toByteArray(), q < 0 ? QByteArray() : target.mid(q + 1),
              request.body.toByteArray()};
    if (!m_state) {
        response = {500, "text/plain; charset=utf-8", "Nomad state is gone", {}};
        return;
    }

    // Blocking query: command/agent/http.go parseWait / parseIndex.
    const QUrlQuery query(QString::fromUtf8(call.query));
    const std::optional<Table> table = readTable(call);
    if (table) {
        std::optional<qint64> waitMs;
        if (query.hasQueryItem(u"wait"_s)) {
            waitMs = parseGoDurationMs(query.queryItemValue(u"wait"_s));
            if (!waitMs) {
                response = {400, "text/plain; charset=utf-8", "Invalid wait time", {}};
                return;
            }
        }
        quint64 index = 0;
        if (query.hasQueryItem(u"index"_s)) {
            bool ok = false;
            index = query.queryItemValue(u"index"_s).toULongLong(&ok);
            if (!ok) {
                response = {400, "text/plain; charset=utf-8", "Invalid index", {}};
                return;
            }
        }
        if (index > 0 && m_state->tableIndex(*table) <= index) {
            // Nomad: no wait (or above the cap) means the cap; then jitter of
            // up to wait/16 so many waiters do not all return at once.
            qint64 wait = waitMs.value_or(0);
            if (wait <= 0 || wait > m_maxWait.count())
                wait = m_maxWait.count();
            const Table waited = *table;
            m_blocking->park(
                request.defer(), int(waited), std::chrono::milliseconds(wait),
                [this, waited, index] { return m_state && m_state->tableIndex(waited) > index; },
                [this, call] { return render(call, dispatch(call)); });
            return;
        }
    }
    response = render(call, dispatch(call));
}

apps::http::Response NomadApi::render(const Call &call, const Reply &reply) const
{
    apps::http::Response response;
    response.status = reply.status;
    response.body = reply.body;
    if (reply.json)
        response.contentType = "application/json";
    // Writes answer with the new index too (setIndex on the response).
    const quint64 index = reply.table ? m_state->tableIndex(*reply.table) : m_state->index();
    if (reply.status < 400 || reply.table) {
        response.extraHeaders = "X-Nomad-Index: " + QByteArray::number(index)
                                + "\r\n"
                                  "X-Nomad-KnownLeader: true\r\nX-Nomad-LastContact: 0\r\n";
    }
    Q_UNUSED(call);
    return response;
}

std::optional<Table> NomadApi::readTable(const Call &call) const
{
    if (call.method != "GET")
        return std::nullopt;
    const QStringList s = segments(call.path);
    if (s.size() < 2 || s.at(0) != u"v1")
        return std::nullopt;
    const QString &what = s.at(1);
    if (what == u"jobs" && s.size() == 2)
        return Table::Jobs;
    if (what == u"job" && s.size() == 3)
        return Table::Jobs;
    if (what == u"job" && s.size() == 4) {
        if (s.at(3) == u"allocations")
            return Table::Allocations;
        if (s.at(3) == u"evaluations")
            return Table::Evaluations;
        if (s.at(3) == u"deployment")
            return Table::Deployments;
        return std::nullopt;
    }
    if (what == u"allocations" || what == u"allocation")
        return Table::Allocations;
    if (what == u"evaluation" || what == u"evaluations")
        return Table::Evaluations;
    if (what == u"deployment" && s.size() == 4 && s.at(2) == u"allocations")
        return Table::Allocations;
    if (what == u"deployment" || what == u"deployments")
        return Table::Deployments;
    if (what == u"nodes" || what == u"node")
        return Table::Nodes;
    return std::nullopt;
}

NomadApi::Reply NomadApi::dispatch(const Call &call) const
{
    const QUrlQuery query(QString::fromUtf8(call.query));
    const bool pretty = query.hasQueryItem(u"pretty"_s);
    const QStringList s = segments(call.path);
    const auto ok = [&](const QJsonValue &value, std::optional<Table> table) {
        return Reply{200, toJson(value, pretty), true, table};
    };
    const auto text = [](int status, const QByteArray &message) { return Reply{status, message, false, {}}; };
    const auto found = [&](const std::optional<QJsonObject> &value, Table table, const QByteArray &notFound) {
        return value ? ok(*value, table) : Reply{404, notFound, false, table};
    };
    const bool get = call.method == "GET";
    const bool write = call.method == "PUT" || call.method == "POST";
    const Reply invalidMethod = text(405, "Invalid method");
    const Reply notFound = text(404, "404 page not found");

    if (s.size() < 2 || s.at(0) != u"v1")
        return notFound;
    const QString &what = s.at(1);

    if (what == u"status" && s.size() == 3 && s.at(2) == u"leader")
        return get ? ok(m_state->leaderAddress(), std::nullopt) : invalidMethod;
    if (what == u"agent" && s.size() == 3 && s.at(2) == u"self")
        return get ? agentSelf() : invalidMethod;
    if (what == u"nodes" && s.size() == 2)
        return get ? ok(m_state->nodeStubs(), Table::Nodes) : invalidMethod;
    if (what == u"node" && s.size() == 3)
        return get ? found(m_state->node(s.at(2)), Table::Nodes, "node not found") : invalidMethod;

    if (what == u"jobs" && s.size() == 2) {
        if (get)
            return ok(m_state->jobStubs(query.queryItemValue(u"prefix"_s, QUrl::FullyDecoded)), Table::Jobs);
        if (write)
            return registerJob(call, {});
        return invalidMethod;
    }
    if (what == u"jobs" && s.size() == 3 && s.at(2) == u"parse")
        return write ? parseJob(call) : invalidMethod;
    if (what == u"job" && s.size() == 3) {
        const QString &id = s.at(2);
        if (get)
            return found(m_state->job(id), Table::Jobs, "job not found");
        if (write)
            return registerJob(call, id);
        if (call.method == "DELETE") {
            const QString purge = query.queryItemValue(u"purge"_s);
            const Result<NomadState::WriteResult> r = m_state->deregisterJob(id, purge == u"true" || purge == u"1");
            if (!r)
                return text(r.error().code == Error::Code::NotFound ? 404 : 500, r.error().message.toUtf8());
            return ok(QJsonObject{{u"EvalID"_s, r->evalId},
                                  {u"EvalCreateIndex"_s, qint64(r->evalCreateIndex)},
                                  {u"JobModifyIndex"_s, qint64(r->jobModifyIndex)},
                                  {u"LastIndex"_s, qint64(r->index)},
                                  {u"RequestTime"_s, 0},
                                  {u"LastContact"_s, 0},
                                  {u"KnownLeader"_s, true},
                                  {u"NextToken"_s, QString()}},
                      std::nullopt);
        }
        return invalidMethod;
    }
    if (what == u"job" && s.size() == 4) {
        const QString &id = s.at(2);
        const QString &sub = s.at(3);
        if (sub == u"plan")
            return write ? planJob(call, id) : invalidMethod;
        if (sub == u"submission") {
            // hashicorp/nomad: command/agent/job_endpoint.go jobSubmissionCRUD
            // (version required; 404 "job source not found").
            bool numeric = false;
            const qint64 version = query.queryItemValue(u"version"_s).toLongLong(&numeric);
            if (!numeric || version < 0)
                return text(400, "Unable to parse job submission version parameter");
            if (!get)
                return invalidMethod;
            return found(m_state->submission(id, version), Table::Jobs, "job source not found");
        }
        if (!get)
            return (sub == u"allocations" || sub == u"evaluations" || sub == u"deployment") ? invalidMethod : notFound;
        if (sub == u"allocations")
            return ok(m_state->allocationStubs(id, {}, false), Table::Allocations);
        if (sub == u"evaluations")
            return ok(m_state->evaluationsOfJob(id), Table::Evaluations);
        if (sub == u"deployment") {
            const std::optional<QJsonObject> d = m_state->latestDeployment(id);
            return ok(d ? QJsonValue(*d) : QJsonValue::Null, Table::Deployments);
        }
        return notFound;
    }
    if (what == u"allocations" && s.size() == 2) {
        if (!get)
            return invalidMethod;
        const QString resources = query.queryItemValue(u"resources"_s);
        const QString prefix = query.queryItemValue(u"prefix"_s);
        QJsonArray all = m_state->allocationStubs({}, {}, resources == u"true" || resources == u"1");
        QJsonArray out;
        for (const QJsonValue &a : all) {
            if (a.toObject().value(u"ID").toString().startsWith(prefix))
                out.append(a);
        }
        return ok(out, Table::Allocations);
    }
    if (what == u"allocation" && s.size() == 3)
        return get ? found(m_state->allocation(s.at(2)), Table::Allocations, "alloc not found") : invalidMethod;
    if (what == u"evaluation" && s.size() == 3)
        return get ? found(m_state->evaluation(s.at(2)), Table::Evaluations, "eval not found") : invalidMethod;
    if (what == u"deployment" && s.size() == 4 && s.at(2) == u"allocations")
        return get ? ok(m_state->allocationStubs({}, s.at(3), false), Table::Allocations) : invalidMethod;
    if (what == u"deployment" && s.size() == 3)
        return get ? found(m_state->deployment(s.at(2)), Table::Deployments, "deployment not found") : invalidMethod;
    return notFound;
}

int NomadApi::submit(const QByteArray &body, QByteArray *answer) const
{
    Call call;
    call.method = QByteArrayLiteral("POST");
    call.path = QByteArrayLiteral("/v1/jobs");
    call.body = body;
    const Reply reply = registerJob(call, {});
    if (answer)
        *answer = reply.body;
    return reply.status;
}

NomadApi::Reply NomadApi::registerJob(const Call &call, const QString &pathJobId) const
{
    // command/agent/job_endpoint.go jobUpdate.
    const Result<QJsonObject> request = GoJsonDecoder::nomadApi().decodeBody(call.body, u"JobRegisterRequest"_s);
    if (!request)
        return {400, request.error().message.toUtf8(), false, {}};
    if (!request->value(u"Job").isObject())
        return {400, "Job must be specified", false, {}};
    QJsonObject job = request->value(u"Job").toObject();
    if (job.value(u"ID").toString().isEmpty())
        return {400, "Job ID hasn't been provided", false, {}};
    if (!pathJobId.isEmpty() && job.value(u"ID").toString() != pathJobId)
        return {400, "Job ID does not match name", false, {}};

    job = JobSpec::canonicalize(job);
    const QStringList errors = JobSpec::validate(job);
    if (!errors.isEmpty())
        return {500, JobSpec::multierrorText(errors).toUtf8(), false, {}};

    NomadState::RegisterOptions options;
    options.enforceIndex = request->value(u"EnforceIndex").toBool();
    options.jobModifyIndex = quint64(request->value(u"JobModifyIndex").toInteger());
    options.submission = request->value(u"Submission").toObject();
    const Result<NomadState::WriteResult> r = m_state->registerJob(job, options);
    if (!r)
        return {500, r.error().message.toUtf8(), false, {}};
    const QJsonObject body{{u"EvalID"_s, r->evalId},
                           {u"EvalCreateIndex"_s, qint64(r->evalCreateIndex)},
                           {u"JobModifyIndex"_s, qint64(r->jobModifyIndex)},
                           {u"Warnings"_s, QString()},
                           {u"LastIndex"_s, qint64(r->index)},
                           {u"RequestTime"_s, 0},
                           {u"LastContact"_s, 0},
                           {u"KnownLeader"_s, true},
                           {u"NextToken"_s, QString()}};
    return {200, toJson(body, false), true, {}};
}

NomadApi::Reply NomadApi::planJob(const Call &call, const QString &jobId) const
{
    // command/agent/job_endpoint.go jobPlan: {"Job", "Diff", "PolicyOverride"}.
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(call.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        const Result<QJsonObject> r = GoJsonDecoder::nomadApi().decodeBody(call.body, u"JobPlanRequest"_s);
        return {400,
                r ? QByteArray("json: cannot unmarshal into api.JobPlanRequest") : r.error().message.toUtf8(),
                false,
                {}};
    }
    QJsonValue jobValue, diffValue;
    const QJsonObject top = document.object();
    for (auto it = top.begin(); it != top.end(); ++it) {
        if (it.key().compare(u"Job", Qt::CaseInsensitive) == 0)
            jobValue = it.value();
        else if (it.key().compare(u"Diff", Qt::CaseInsensitive) == 0)
            diffValue = it.value();
    }
    if (!diffValue.isNull() && !diffValue.isUndefined() && !diffValue.isBool())
        return {400, "json: cannot unmarshal into Go struct field JobPlanRequest.Diff of type bool", false, {}};
    if (!jobValue.isObject())
        return {400, "Job must be specified", false, {}};
    const Result<QJsonObject> decoded = GoJsonDecoder::nomadApi().decodeObject(jobValue.toObject(), u"Job"_s);
    if (!decoded)
        return {400, decoded.error().message.toUtf8(), false, {}};
    QJsonObject job = *decoded;
    if (job.value(u"ID").toString().isEmpty())
        return {400, "Job must have a valid ID", false, {}};
    if (job.value(u"ID").toString() != jobId)
        return {400, "Job ID does not match", false, {}};
    job = JobSpec::canonicalize(job);
    const QStringList errors = JobSpec::validate(job);
    if (!errors.isEmpty())
        return {500, JobSpec::multierrorText(errors).toUtf8(), false, {}};
    return {200, toJson(m_state->plan(job, diffValue.toBool()), false), true, {}};
}

NomadApi::Reply NomadApi::parseJob(const Call &call) const
{
    // command/agent/job_endpoint.go JobsParseRequest: api.JobsParseRequest
    // {JobHCL, Canonicalize, Variables (a var-file's text), VariableFlags},
    // read by jobspec2 with the server's settings (no file access, undeclared
    // variables ignored); the answer is the bare api.Job.
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(call.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        // The decoder's words for malformed JSON (Go's encoding/json).
        const Result<QJsonObject> r = GoJsonDecoder::nomadApi().decodeBody(call.body, u"JobRegisterRequest"_s);
        return {400,
                r ? QByteArray("json: cannot unmarshal into api.JobsParseRequest") : r.error().message.toUtf8(),
                false,
                {}};
    }
    QString hcl, variables;
    QJsonObject flags;
    bool canonicalize = false, hclv1 = false;
    const QJsonObject top = document.object();
    const auto mismatch = [](const char *field, const char *type) {
        return Reply{400,
                     QByteArray("json: cannot unmarshal into Go struct field JobsParseRequest.") + field + " of type "
                         + type,
                     false,
                     {}};
    };
    // Go's encoding/json: keys match case-insensitively, null leaves the
    // field alone, unknown keys are dropped.
    for (auto it = top.begin(); it != top.end(); ++it) {
        const QJsonValue &v = it.value();
        if (v.isNull())
            continue;
        const QString key = it.key().toLower();
        if (key == u"jobhcl") {
            if (!v.isString())
                return mismatch("JobHCL", "string");
            hcl = v.toString();
        } else if (key == u"canonicalize") {
            if (!v.isBool())
                return mismatch("Canonicalize", "bool");
            canonicalize = v.toBool();
        } else if (key == u"variables") {
            if (!v.isString())
                return mismatch("Variables", "string");
            variables = v.toString();
        } else if (key == u"variableflags") {
            if (!v.isObject())
                return mismatch("VariableFlags", "map[string]string");
            flags = v.toObject();
        } else if (key == u"hclv1") {
            if (!v.isBool())
                return mismatch("hclv1", "bool");
            hclv1 = v.toBool();
        }
    }
    if (hcl.isEmpty())
        return {400, "Job spec is empty", false, {}};
    if (hclv1)
        return {400, "Failed to parse job: HCL1 jobspecs are not supported (Nomad 1.9 dropped them too)", false, {}};

    mesh::nomad::JobspecReader::Options options;
    options.fileName = u"input.hcl"_s;
    options.variableFile = variables.toUtf8();
    options.strict = false;
    for (auto it = flags.begin(); it != flags.end(); ++it) {
        if (!it.value().isString())
            return mismatch("VariableFlags", "map[string]string");
        options.variables.append({it.key(), it.value().toString()});
    }
    const Result<QJsonObject> job = mesh::nomad::JobspecReader::read(hcl.toUtf8(), options);
    if (!job)
        return {400, "Failed to parse job: " + job.error().message.toUtf8(), false, {}};
    const QUrlQuery query(QString::fromUtf8(call.query));
    const bool pretty = query.hasQueryItem(u"pretty"_s);
    return {200, toJson(canonicalize ? JobSpec::canonicalize(*job, JobSpec::Stage::Api) : *job, pretty), true, {}};
}

NomadApi::Reply NomadApi::agentSelf() const
{
    // What the nomad CLI reads from /v1/agent/self: config.Region /
    // Datacenter / NodeName / Version, member.Name / Addr / Tags, and
    // stats.client.node_id for `nomad node status -self`.
    QString address;
    QString nodeId = m_state->nodeId(m_nodeName);
    for (const QJsonValue &n : m_state->nodeStubs()) {
        if (n.toObject().value(u"Name").toString() == m_nodeName)
            address = n.toObject().value(u"Address").toString();
    }
    const QJsonObject config{
        {u"Region"_s, u"global"_s},
        {u"Datacenter"_s, u"dc1"_s},
        {u"NodeName"_s, m_nodeName},
        {u"BindAddr"_s, address},
        {u"Version"_s, QJsonObject{{u"Version"_s, u"1.6.5"_s},
                                   {u"VersionPrerelease"_s, QString()},
                                   {u"VersionMetadata"_s, QString()},
                                   {u"Revision"_s, QString()}}},
        {u"Ports"_s, QJsonObject{{u"HTTP"_s, 4646}, {u"RPC"_s, 4647}, {u"Serf"_s, 4648}}},
        {u"Addresses"_s, QJsonObject{{u"HTTP"_s, address}, {u"RPC"_s, address}, {u"Serf"_s, address}}},
        {u"Server"_s, QJsonObject{{u"Enabled"_s, true}, {u"BootstrapExpect"_s, 3}}},
        {u"Client"_s, QJsonObject{{u"Enabled"_s, true}}},
        {u"ACL"_s, QJsonObject{{u"Enabled"_s, false}}},
    };
    const QJsonObject member{{u"Name"_s, QString(m_nodeName + u".global"_s)},
                             {u"Addr"_s, address},
                             {u"Port"_s, 4648},
                             {u"Tags"_s, QJsonObject{{u"role"_s, u"nomad"_s},
                                                     {u"region"_s, u"global"_s},
                                                     {u"dc"_s, u"dc1"_s},
                                                     {u"build"_s, u"1.6.5"_s},
                                                     {u"port"_s, u"4647"_s},
                                                     {u"bootstrap"_s, u"0"_s},
                                                     {u"expect"_s, u"3"_s}}},
                             {u"Status"_s, u"alive"_s},
                             {u"ProtocolMin"_s, 1},
                             {u"ProtocolMax"_s, 5},
                             {u"ProtocolCur"_s, 2},
                             {u"DelegateMin"_s, 2},
                             {u"DelegateMax"_s, 5},
                             {u"DelegateCur"_s, 4}};
    const QJsonObject stats{
        {u"nomad"_s, QJsonObject{{u"server"_s, u"true"_s},
                                 {u"leader"_s, u"true"_s},
                                 {u"leader_addr"_s, m_state->leaderAddress()},
                                 {u"known_regions"_s, u"1"_s},
                                 {u"bootstrap"_s, u"false"_s}}},
        {u"client"_s,
         QJsonObject{{u"node_id"_s, nodeId},
                     {u"known_servers"_s, m_state->leaderAddress()},
                     {u"num_allocations"_s, QString::number(m_state->allocationStubs({}, {}, false).size())},
                     {u"heartbeat_ttl"_s, u"10s"_s},
                     {u"last_heartbeat"_s, u"0"_s}}},
        {u"raft"_s, QJsonObject{{u"state"_s, u"Leader"_s}, {u"applied_index"_s, QString::number(m_state->index())}}},
    };
    return {200, toJson(QJsonObject{{u"config"_s, config}, {u"member"_s, member}, {u"stats"_s, stats}}, false), true,
            std::nullopt};
}

} // namespace mesh::lab::nomad
