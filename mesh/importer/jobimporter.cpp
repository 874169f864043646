#include "jobimporter.h"

#include "deploy/ownership.h"
#include "jsonkeyorder.h"
#include "nomad/nomaddefaults.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSet>

#include <initializer_list>

using namespace Qt::StringLiterals;

namespace mesh::importer {

using nomad::NomadDefaults;

namespace {

constexpr qint64 kNanosPerMilli = 1'000'000;
constexpr qint64 kSecond = NomadDefaults::kSecond;

// `base` with `over`'s keys on top: a group's Update is the job's with the
// group's fields merged in (api/tasks.go TaskGroup.Canonicalize), and a
// task's RestartPolicy is its group's likewise.
QJsonObject merged(QJsonObject base, const QJsonObject &over)
{
    for (auto it = over.begin(); it != over.end(); ++it)
        base.insert(it.key(), it.value());
    return base;
}

QString str(const QJsonObject &o, QStringView key)
{
    return o.value(key).toString();
}

// What Go's encoder writes for an unset field: null, false, 0, "", [], {}
// or an object of nothing but those (a nested struct left at its zero
// value, e.g. MeshGateway {"Mode": ""}). Never a loss.
bool isZero(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined: return true;
    case QJsonValue::Bool: return !value.toBool();
    case QJsonValue::Double: return value.toDouble() == 0;
    case QJsonValue::String: return value.toString().isEmpty();
    case QJsonValue::Array: return value.toArray().isEmpty();
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        return std::all_of(object.begin(), object.end(), [](const QJsonValueConstRef &v) { return isZero(v); });
    }
    }
    return false;
}

// A value for a note: compact JSON, cut short.
QString shown(const QJsonValue &value)
{
    QString text;
    if (value.isString())
        text = u'"' + value.toString() + u'"';
    else if (value.isObject())
        text = QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    else if (value.isArray())
        text = QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    else
        text = value.toVariant().toString();
    constexpr qsizetype kMax = 80;
    if (text.size() > kMax)
        text = text.left(kMax - 1) + u'…';
    return text;
}

QString quoted(QStringView kind, const QString &name)
{
    return kind + u" \"" + name + u'"';
}

QString join(const QString &where, const QString &key)
{
    return where.isEmpty() ? key : where + u" › " + key;
}

QString textOf(const QJsonValue &value)
{
    // Env and Meta are string maps (map[string]string in hashicorp/nomad:
    // api/tasks.go, api/jobs.go); a number or bool here was never accepted
    // by Nomad's decoder, but keep what it says rather than "".
    return value.isString() ? value.toString() : value.toVariant().toString();
}

// Imports jobs one by one into one design, then resolves arrows and
// intentions across them.
class Importer
{
public:
    void addJob(const JobSource &source);
    void resolveUpstreams();
    void applyIntentions(const QList<QJsonObject> &entries);
    void finish();

    JobImporter::Result result;

private:
    struct PendingUpstream
    {
        model::ServiceId from;
        QString destinationName;
        int localBindPort = 0;
        QString localBindAddress;
    };

    void note(const QString &where, const QString &message) { result.notes.append({m_job, where, message}); }
    void notImported(const QString &where, const QJsonValue &value) { note(where, u"not imported: "_s + shown(value)); }

    // Reports every key of `object` that is not `handled`, not equal to its
    // entry in `defaults` and not a zero value. An object-valued default
    // compares field by field, so one changed field is one note with its
    // path.
    void leftovers(const QJsonObject &object, const QString &where, std::initializer_list<QStringView> handled,
                   const QJsonObject &defaults = {});

    void addGroup(const QJsonObject &group, const QString &pointer, const QJsonObject &jobUpdate);
    void readNetwork(const QJsonArray &networks, const QString &where, const QSet<QString> &injectedPorts,
                     model::Service &s);
    void readService(const QJsonObject &service, const QString &pointer, const QString &where,
                     const QSet<QString> &exposeLabels, model::Service &s);
    void readCheck(const QJsonObject &check, const QString &where, const QString &serviceOnUpdate,
                   const QSet<QString> &exposeLabels, model::Service &s);
    void readConnect(const QJsonObject &connect, const QString &where, const QSet<QString> &exposeLabels,
                     model::Service &s);
    void readTask(const QJsonObject &task, const QString &pointer, const QString &where,
                  const QJsonObject &groupRestart, model::Service &s);
    QList<model::KeyValue> ordered(const QJsonObject &map, const QString &pointer) const;
    model::ServiceId uniqueServiceId(const QString &hint) const;
    model::UpstreamId uniqueUpstreamId(const QString &hint) const;

    QString m_job;
    bool m_canonical = false;
    const QHash<QString, QStringList> *m_keyOrder = nullptr;
    QList<PendingUpstream> m_pending;
    QString m_datacenter;    // of the first job naming one
    QString m_datacenterJob; // that job
};

void Importer::leftovers(const QJsonObject &object, const QString &where, std::initializer_list<QStringView> handled,
                         const QJsonObject &defaults)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = it.key();
        if (std::find(handled.begin(), handled.end(), QStringView(key)) != handled.end())
            continue;
        const QJsonValue value = it.value();
        if (const auto d = defaults.constFind(key); d != defaults.constEnd()) {
            if (d->isObject() && value.isObject()) {
                leftovers(value.toObject(), join(where, key), {}, d->toObject());
                continue;
            }
            if (*d == value)
                continue;
        }
        if (isZero(value))
            continue;
        notImported(join(where, key), value);
    }
}

QList<model::KeyValue> Importer::ordered(const QJsonObject &map, const QString &pointer) const
{
    QList<model::KeyValue> out;
    out.reserve(map.size());
    QStringList keys;
    if (m_keyOrder) {
        // Use the text's order only when it names exactly the map's keys.
        const QStringList order = m_keyOrder->value(pointer);
        if (order.size() == map.size()
            && std::all_of(order.begin(), order.end(), [&](const QString &k) { return map.contains(k); }))
            keys = order;
    }
    if (keys.isEmpty())
        keys = map.keys();
    for (const QString &key : std::as_const(keys))
        out.append({key, textOf(map.value(key))});
    return out;
}

model::ServiceId Importer::uniqueServiceId(const QString &hint) const
{
    // As TopologyModel::uniqueServiceId: "count-api", "count-api-2", …
    const QString base = hint.isEmpty() ? u"service"_s : hint;
    for (int n = 1;; ++n) {
        const QString candidate = n == 1 ? base : base + u'-' + QString::number(n);
        if (!result.design.service({candidate}))
            return {candidate};
    }
}

model::UpstreamId Importer::uniqueUpstreamId(const QString &hint) const
{
    for (int n = 1;; ++n) {
        const QString candidate = n == 1 ? hint : hint + u'-' + QString::number(n);
        if (!result.design.upstream({candidate}))
            return {candidate};
    }
}

void Importer::addJob(const JobSource &source)
{
    const QJsonObject &job = source.job;
    m_keyOrder = &source.keyOrder;
    m_job = str(job, u"ID");
    if (m_job.isEmpty()) {
        m_job = str(job, u"Name");
        note(QString(), u"not imported: the job has no ID"_s);
        return;
    }
    // Only the server (and /v1/jobs/parse with Canonicalize) fills in a
    // Priority: such a job carries Nomad's defaults written out.
    m_canonical = job.contains(u"Priority");

    if (const QString name = str(job, u"Name"); !name.isEmpty() && name != m_job)
        note(u"Name"_s, u"not imported: \"%1\"; Meshpad names a job by its ID"_s.arg(name));
    if (const QString type = str(job, u"Type"); !type.isEmpty() && type != u"service")
        note(u"Type"_s, u"not imported: \"%1\"; Meshpad's jobs are service jobs"_s.arg(type));

    // One datacenter per design (MeshSettings::datacenter). "*" is what the
    // server makes of an empty list (Nomad 1.6+): every datacenter.
    const QJsonArray datacenters = job.value(u"Datacenters").toArray();
    if (datacenters.size() == 1 && datacenters.first().toString() != u"*") {
        const QString dc = datacenters.first().toString();
        if (m_datacenter.isEmpty()) {
            m_datacenter = dc;
            m_datacenterJob = m_job;
        } else if (dc != m_datacenter) {
            note(u"Datacenters"_s, u"not imported: \"%1\"; the design runs in \"%2\" (job %3's)"_s.arg(
                                       dc, m_datacenter, m_datacenterJob));
        }
    } else if (!datacenters.isEmpty()) {
        notImported(u"Datacenters"_s, datacenters);
    }

    // Meshpad's ownership marks (deploy::Ownership) are Meshpad's own.
    const QJsonObject meta = job.value(u"Meta").toObject();
    for (auto it = meta.begin(); it != meta.end(); ++it) {
        if (it.key() != deploy::Ownership::designKey() && it.key() != deploy::Ownership::versionKey())
            notImported(u"Meta › "_s + it.key(), it.value());
    }

    const QJsonObject jobUpdate = merged(NomadDefaults::updateStrategy(), job.value(u"Update").toObject());
    leftovers(job, QString(),
              {u"ID", u"Name", u"Type", u"Datacenters", u"Meta", u"TaskGroups",
               // Set by the server (hashicorp/nomad: nomad/structs/structs.go,
               // Job.SpecChanged ignores them).
               u"Status", u"StatusDescription", u"Stable", u"Version", u"SubmitTime", u"CreateIndex", u"ModifyIndex",
               u"JobModifyIndex", u"NomadTokenID", u"VersionTag"},
              {{u"Region"_s, u"global"_s},
               {u"Priority"_s, 50},
               {u"Namespace"_s, u"default"_s},
               {u"NodePool"_s, u"default"_s},
               {u"Update"_s, NomadDefaults::updateStrategy()}});

    const QJsonArray groups = job.value(u"TaskGroups").toArray();
    if (groups.isEmpty())
        note(QString(), u"not imported: the job has no task groups"_s);
    for (qsizetype g = 0; g < groups.size(); ++g)
        addGroup(groups.at(g).toObject(), u"/TaskGroups/"_s + QString::number(g), jobUpdate);
    m_keyOrder = nullptr;
}

void Importer::addGroup(const QJsonObject &group, const QString &pointer, const QJsonObject &jobUpdate)
{
    const QString groupName = str(group, u"Name");
    const QString where = quoted(u"group", groupName);

    // Meshpad draws one service per group: the first Connect service, else
    // the first service.
    const QJsonArray services = group.value(u"Services").toArray();
    qsizetype chosen = -1;
    for (qsizetype i = 0; i < services.size() && chosen < 0; ++i) {
        if (services.at(i).toObject().value(u"Connect").toObject().value(u"SidecarService").isObject())
            chosen = i;
    }
    if (chosen < 0 && !services.isEmpty())
        chosen = 0;
    if (chosen < 0) {
        note(where, u"not imported: the group has no service (Meshpad draws a service per group)"_s);
        return;
    }
    const QJsonObject service = services.at(chosen).toObject();
    for (qsizetype i = 0; i < services.size(); ++i) {
        if (i != chosen)
            note(join(where, quoted(u"service", str(services.at(i).toObject(), u"Name"))),
                 u"not imported: Meshpad draws one service per group"_s);
    }

    model::Service s;
    s.job = m_job;
    s.group = groupName;
    s.count = int(group.value(u"Count").toInteger(1));
    s.name = str(service, u"Name");
    if (s.name.isEmpty())
        s.name = m_job + u'-' + groupName; // Nomad's default name (api/services.go Canonicalize)

    // Nomad's Connect hook injects a proxy task (Kind "connect-proxy:<svc>")
    // and a dynamic port "connect-proxy-<svc>" for every sidecar service
    // (hashicorp/nomad: nomad/job_endpoint_hook_connect.go); neither is the
    // user's.
    QSet<QString> injectedPorts;
    QSet<QString> proxyKinds;
    for (const QJsonValue &v : services) {
        const QJsonObject svc = v.toObject();
        const QJsonObject connect = svc.value(u"Connect").toObject();
        if (!connect.value(u"SidecarService").isObject())
            continue;
        const QString name = str(svc, u"Name").isEmpty() ? m_job + u'-' + groupName : str(svc, u"Name");
        proxyKinds.insert(u"connect-proxy:"_s + name);
        if (str(connect.value(u"SidecarService").toObject(), u"Port").isEmpty())
            injectedPorts.insert(u"connect-proxy-"_s + name);
    }

    // Nomad's expose-check hook points an exposed check at a dynamic port it
    // injects, and adds an expose path listening on it
    // (nomad/job_endpoint_hook_expose_check.go): Nomad's, not the user's.
    QSet<QString> exposeLabels;
    for (const QJsonValue &v : services) {
        for (const QJsonValue &c : v.toObject().value(u"Checks").toArray()) {
            if (c.toObject().value(u"Expose").toBool() && !str(c.toObject(), u"PortLabel").isEmpty())
                exposeLabels.insert(str(c.toObject(), u"PortLabel"));
        }
    }

    readNetwork(group.value(u"Networks").toArray(), where, injectedPorts + exposeLabels, s);
    const QString serviceWhere = join(where, quoted(u"service", s.name));
    readService(service, pointer + u"/Services/" + QString::number(chosen), serviceWhere, exposeLabels, s);
    readConnect(service.value(u"Connect").toObject(), join(serviceWhere, u"Connect"_s), exposeLabels, s);

    // The task: the service's TaskName, else the first that is the user's.
    const QJsonArray tasks = group.value(u"Tasks").toArray();
    const QString wanted = str(service, u"TaskName");
    qsizetype taskIndex = -1;
    for (qsizetype i = 0; i < tasks.size(); ++i) {
        const QJsonObject task = tasks.at(i).toObject();
        if (proxyKinds.contains(str(task, u"Kind")) || str(task, u"Kind").startsWith(u"connect-proxy:"))
            continue;
        if (taskIndex < 0
            || (!wanted.isEmpty() && str(task, u"Name") == wanted
                && str(tasks.at(taskIndex).toObject(), u"Name") != wanted))
            taskIndex = i;
    }
    const QJsonObject groupRestart
        = merged(NomadDefaults::restartPolicy(true), group.value(u"RestartPolicy").toObject());
    if (taskIndex < 0) {
        note(where, u"the group has no task to import"_s);
    } else {
        const QJsonObject task = tasks.at(taskIndex).toObject();
        s.task = str(task, u"Name");
        readTask(task, pointer + u"/Tasks/" + QString::number(taskIndex), join(where, quoted(u"task", s.task)),
                 groupRestart, s);
    }
    for (qsizetype i = 0; i < tasks.size(); ++i) {
        const QJsonObject task = tasks.at(i).toObject();
        if (i == taskIndex || str(task, u"Kind").startsWith(u"connect-proxy:"))
            continue;
        note(join(where, quoted(u"task", str(task, u"Name"))), u"not imported: Meshpad runs one task per group"_s);
    }

    // Constraints the server adds itself (nomad/job_endpoint_hooks.go
    // jobImplicitConstraints: Consul and CNI plugin versions, Nomad service
    // discovery) are not the user's.
    QJsonArray constraints;
    for (const QJsonValue &c : group.value(u"Constraints").toArray()) {
        const QString target = str(c.toObject(), u"LTarget");
        if (!target.startsWith(u"${attr.consul.") && !target.startsWith(u"${attr.plugins.cni.")
            && target != u"${attr.nomad.service_discovery}")
            constraints.append(c);
    }
    if (!constraints.isEmpty())
        notImported(join(where, u"Constraints"_s), constraints);

    leftovers(group, where, {u"Name", u"Count", u"Networks", u"Services", u"Tasks", u"Constraints"},
              {{u"EphemeralDisk"_s, QJsonObject{{u"SizeMB"_s, 300}}},
               {u"RestartPolicy"_s, NomadDefaults::restartPolicy(true)},
               {u"ReschedulePolicy"_s, NomadDefaults::reschedulePolicy()},
               {u"Migrate"_s, NomadDefaults::migrateStrategy()},
               // The job's Update with the group's on top: only what the
               // group changes is the group's (the job's was reported).
               {u"Update"_s, jobUpdate},
               {u"Consul"_s, QJsonObject{{u"Cluster"_s, u"default"_s}}}});

    s.templateKind = JobImporter::templateOf(s);
    s.id = uniqueServiceId(s.name);
    // Nomad lets two jobs register one Consul service (more instances of
    // it); a design names each service once, and the Validator will say so.
    if (const model::Service *first = result.design.serviceByName(s.name))
        note(serviceWhere, u"imported as a second service \"%1\": job %2 defines %3 too, and a design's service "
                           u"names are unique"_s.arg(s.id.value, first->job, s.name));
    const QJsonObject proxy
        = service.value(u"Connect").toObject().value(u"SidecarService").toObject().value(u"Proxy").toObject();
    if (s.connectSidecar) {
        for (const QJsonValue &u : proxy.value(u"Upstreams").toArray()) {
            const QJsonObject upstream = u.toObject();
            m_pending.append({s.id, str(upstream, u"DestinationName"),
                              int(upstream.value(u"LocalBindPort").toInteger()), str(upstream, u"LocalBindAddress")});
        }
    }
    result.design.services.append(std::move(s));
}

void Importer::readNetwork(const QJsonArray &networks, const QString &where, const QSet<QString> &injectedPorts,
                           model::Service &s)
{
    // No network at all runs the group in the host's namespace, as
    // `mode = "host"` does (Nomad's default mode).
    s.networkMode = model::NetworkMode::Host;
    if (networks.isEmpty())
        return;
    for (qsizetype i = 1; i < networks.size(); ++i)
        notImported(join(where, u"Networks[%1]"_s.arg(i)), networks.at(i));

    const QJsonObject network = networks.first().toObject();
    const QString netWhere = join(where, u"network"_s);
    const QString mode = str(network, u"Mode");
    if (mode == u"bridge") {
        s.networkMode = model::NetworkMode::Bridge;
    } else if (!mode.isEmpty() && mode != u"host") {
        note(join(netWhere, u"Mode"_s), u"not imported: \"%1\"; imported as bridge"_s.arg(mode));
        s.networkMode = model::NetworkMode::Bridge;
    }

    // Reserved (static) ports first, then dynamic: the order Nomad's JSON
    // has them in and NomadJobGenerator writes them.
    for (const bool reserved : {true, false}) {
        const QString list = reserved ? u"ReservedPorts"_s : u"DynamicPorts"_s;
        for (const QJsonValue &v : network.value(list).toArray()) {
            const QJsonObject port = v.toObject();
            const QString label = str(port, u"Label");
            if (!reserved && injectedPorts.contains(label))
                continue;
            model::PortMapping mapping;
            mapping.label = label;
            mapping.to = int(port.value(u"To").toInteger());
            // A dynamic port's Value is what the scheduler picked, if anything.
            mapping.staticPort = reserved ? int(port.value(u"Value").toInteger()) : 0;
            s.ports.append(mapping);
            leftovers(port, join(netWhere, quoted(u"port", label)), {u"Label", u"Value", u"To"},
                      {{u"HostNetwork"_s, u"default"_s}});
        }
    }
    leftovers(network, netWhere, {u"Mode", u"ReservedPorts", u"DynamicPorts"});
}

void Importer::readService(const QJsonObject &service, const QString &pointer, const QString &where,
                           const QSet<QString> &exposeLabels, model::Service &s)
{
    s.port = str(service, u"PortLabel");
    s.tags.clear();
    for (const QJsonValue &t : service.value(u"Tags").toArray())
        s.tags.append(t.toString());
    s.meta = ordered(service.value(u"Meta").toObject(), pointer + u"/Meta");
    s.connectSidecar = service.value(u"Connect").toObject().value(u"SidecarService").isObject();

    const QString onUpdate = str(service, u"OnUpdate").isEmpty() ? u"require_healthy"_s : str(service, u"OnUpdate");
    const QJsonArray checks = service.value(u"Checks").toArray();
    if (!checks.isEmpty())
        readCheck(checks.first().toObject(), join(where, u"check"_s), onUpdate, exposeLabels, s);
    for (qsizetype i = 1; i < checks.size(); ++i)
        note(join(where, u"Checks[%1]"_s.arg(i)),
             u"not imported: Meshpad keeps one check per service (%1)"_s.arg(shown(checks.at(i))));

    leftovers(service, where, {u"Name", u"PortLabel", u"Tags", u"Meta", u"Checks", u"Connect", u"TaskName"},
              {{u"AddressMode"_s, u"auto"_s},
               {u"Provider"_s, u"consul"_s},
               {u"OnUpdate"_s, u"require_healthy"_s},
               {u"Cluster"_s, u"default"_s},
               // The server's copy of the job's namespace
               // (nomad/structs/services.go Service.Namespace).
               {u"Namespace"_s, u"default"_s}});
}

void Importer::readCheck(const QJsonObject &check, const QString &where, const QString &serviceOnUpdate,
                         const QSet<QString> &exposeLabels, model::Service &s)
{
    const QString type = str(check, u"Type");
    const std::optional<model::CheckKind> kind = model::checkKindFromString(type);
    if (!kind || *kind == model::CheckKind::None) {
        note(join(where, u"Type"_s), u"not imported: a \"%1\" check (Meshpad models http and tcp)"_s.arg(type));
        return;
    }
    s.check.kind = *kind;
    if (*kind == model::CheckKind::Http)
        s.check.path = str(check, u"Path");
    s.check.intervalMs = int(check.value(u"Interval").toInteger() / kNanosPerMilli);
    s.check.timeoutMs = int(check.value(u"Timeout").toInteger() / kNanosPerMilli);

    // Meshpad exposes an HTTP check of a bridge-mode Connect service and
    // nothing else (NomadJob's checkOf): anything else is the job's own
    // choice.
    const bool expose = check.value(u"Expose").toBool();
    const bool derived
        = *kind == model::CheckKind::Http && s.connectSidecar && s.networkMode == model::NetworkMode::Bridge;
    if (expose != derived)
        note(join(where, u"Expose"_s), u"not imported: %1"_s.arg(expose ? u"true"_s : u"false"_s));
    QList<QStringView> handled{u"Type", u"Path", u"Interval", u"Timeout", u"Expose"};
    if (exposeLabels.contains(str(check, u"PortLabel")))
        handled.append(u"PortLabel");
    // The server names an unnamed check `service: "<name>" check`
    // (nomad/structs/services.go ServiceCheck.Canonicalize).
    if (str(check, u"Name") == u"service: \"%1\" check"_s.arg(s.name))
        handled.append(u"Name");
    if (*kind == model::CheckKind::Tcp)
        handled.append(u"Path");
    QJsonObject rest = check;
    for (QStringView key : std::as_const(handled))
        rest.remove(key);
    leftovers(rest, where, {}, {{u"OnUpdate"_s, serviceOnUpdate}});
}

void Importer::readConnect(const QJsonObject &connect, const QString &where, const QSet<QString> &exposeLabels,
                           model::Service &s)
{
    if (connect.isEmpty())
        return;
    const QJsonObject sidecar = connect.value(u"SidecarService").toObject();
    const QString sidecarWhere = join(where, u"SidecarService"_s);
    const QJsonObject proxy = sidecar.value(u"Proxy").toObject();
    const QString proxyWhere = join(sidecarWhere, u"Proxy"_s);

    // NomadJob writes local_service_port only for a label mapped `to`
    // another port in bridge mode; any other value is the job's own choice.
    int derived = 0;
    if (const model::PortMapping *mapping = s.portMapping(s.port);
        mapping && mapping->to > 0 && s.networkMode == model::NetworkMode::Bridge)
        derived = mapping->to;
    if (const int port = int(proxy.value(u"LocalServicePort").toInteger()); port != derived)
        note(join(proxyWhere, u"LocalServicePort"_s), u"not imported: %1"_s.arg(port));

    // Expose paths of exposed checks are the expose-check hook's.
    for (const QStringView key : {u"Expose", u"ExposeConfig"}) {
        const QJsonObject expose = proxy.value(key).toObject();
        for (const QStringView list : {u"Paths", u"Path"}) {
            const QJsonArray paths = expose.value(list).toArray();
            for (qsizetype i = 0; i < paths.size(); ++i) {
                const QJsonObject path = paths.at(i).toObject();
                if (!exposeLabels.contains(str(path, u"ListenerPort")))
                    notImported(join(proxyWhere, key + u" › " + list + u'[' + QString::number(i) + u']'), path);
            }
        }
    }

    const QJsonArray upstreams = proxy.value(u"Upstreams").toArray();
    for (qsizetype i = 0; i < upstreams.size(); ++i) {
        const QJsonObject upstream = upstreams.at(i).toObject();
        leftovers(upstream, join(proxyWhere, quoted(u"upstream", str(upstream, u"DestinationName"))),
                  {u"DestinationName", u"LocalBindPort", u"LocalBindAddress"});
    }
    leftovers(proxy, proxyWhere, {u"LocalServicePort", u"Expose", u"ExposeConfig", u"Upstreams"});
    leftovers(sidecar, sidecarWhere, {u"Proxy"});
    leftovers(connect, where, {u"SidecarService"});
}

void Importer::readTask(const QJsonObject &task, const QString &pointer, const QString &where,
                        const QJsonObject &groupRestart, model::Service &s)
{
    const QString driver = str(task, u"Driver");
    if (const std::optional<model::Driver> d = model::driverFromString(driver)) {
        s.driver = *d;
    } else {
        s.driver = model::Driver::Exec;
        note(join(where, u"Driver"_s), u"not imported: \"%1\"; imported as exec"_s.arg(driver));
    }

    const QJsonObject config = task.value(u"Config").toObject();
    s.command = textOf(config.value(u"command"));
    s.args.clear();
    for (const QJsonValue &a : config.value(u"args").toArray())
        s.args.append(textOf(a));
    // NomadJob writes `image` for docker only.
    if (s.driver == model::Driver::Docker)
        s.image = str(config, u"image");
    for (auto it = config.begin(); it != config.end(); ++it) {
        const QString key = it.key();
        if (key == u"command" || key == u"args" || (key == u"image" && s.driver == model::Driver::Docker))
            continue;
        notImported(join(where, u"Config › "_s + key), it.value());
    }

    s.env = ordered(task.value(u"Env").toObject(), pointer + u"/Env");

    const QJsonObject resources = task.value(u"Resources").toObject();
    const int cpu = int(resources.value(u"CPU").toInteger());
    const int memory = int(resources.value(u"MemoryMB").toInteger());
    // 0 = "Nomad's default", which the generators leave out; a canonicalized
    // job has that default written out.
    s.resources.cpuMhz = m_canonical && cpu == 100 ? 0 : cpu;
    s.resources.memoryMb = m_canonical && memory == 300 ? 0 : memory;
    leftovers(resources, join(where, u"Resources"_s), {u"CPU", u"MemoryMB"},
              {{u"NUMA"_s, QJsonObject{{u"Affinity"_s, u"none"_s}}}});

    QList<QStringView> handled{u"Name", u"Driver", u"Config", u"Env", u"Resources"};
    // Set by Nomad's Connect hook on a native service's task; Connect ›
    // Native is reported already.
    if (str(task, u"Kind").startsWith(u"connect-native:"))
        handled.append(u"Kind");
    // Every task gets a default workload identity from the server
    // (Nomad 1.7+, nomad/job_endpoint_hooks.go jobImplicitIdentitiesHook).
    if (const QString identity = str(task.value(u"Identity").toObject(), u"Name");
        identity.isEmpty() || identity == u"default")
        handled.append(u"Identity");
    QJsonObject rest = task;
    for (QStringView key : std::as_const(handled))
        rest.remove(key);
    leftovers(rest, where, {},
              {{u"LogConfig"_s, QJsonObject{{u"MaxFiles"_s, 10}, {u"MaxFileSizeMB"_s, 10}}},
               {u"RestartPolicy"_s, groupRestart},
               {u"KillTimeout"_s, 5 * kSecond}});
}

void Importer::resolveUpstreams()
{
    for (const PendingUpstream &p : std::as_const(m_pending)) {
        const model::Service *destination = result.design.serviceByName(p.destinationName);
        model::ServiceId destinationId;
        if (destination) {
            destinationId = destination->id;
        } else {
            // A destination no imported job runs: drawn, given intentions,
            // never deployed.
            model::Service external;
            external.id = uniqueServiceId(p.destinationName);
            external.name = p.destinationName;
            external.external = true;
            external.connectSidecar = true;
            external.job.clear();
            external.group.clear();
            external.task.clear();
            destinationId = external.id;
            result.design.services.append(std::move(external));
        }
        model::Upstream u;
        u.downstream = p.from;
        u.destination = destinationId;
        u.id = uniqueUpstreamId(p.from.value + u"-to-" + destinationId.value);
        u.localBindPort = p.localBindPort;
        u.localBindAddress = p.localBindAddress;
        result.design.upstreams.append(std::move(u));
    }
    m_pending.clear();
    if (!m_datacenter.isEmpty())
        result.design.settings.datacenter = m_datacenter;
}

void Importer::applyIntentions(const QList<QJsonObject> &entries)
{
    m_job.clear();
    model::Topology &design = result.design;
    std::optional<model::IntentionAction> everywhere; // `*` → `*`
    struct Wildcard
    {
        QString destination;
        model::IntentionAction action;
        QString where;
    };
    QList<Wildcard> wildcards; // `*` → one destination

    for (qsizetype e = 0; e < entries.size(); ++e) {
        const QJsonObject entry = entries.at(e);
        const QString destination = str(entry, u"Name");
        const QString where = quoted(u"intentions", destination);
        if (str(entry, u"Kind") != u"service-intentions") {
            note(where, u"not imported: a \"%1\" config entry"_s.arg(str(entry, u"Kind")));
            continue;
        }
        const QJsonObject meta = entry.value(u"Meta").toObject();
        for (auto it = meta.begin(); it != meta.end(); ++it) {
            if (it.key() != deploy::Ownership::designKey() && it.key() != deploy::Ownership::versionKey())
                notImported(join(where, u"Meta › "_s + it.key()), it.value());
        }
        leftovers(entry, where, {u"Kind", u"Name", u"Sources", u"Meta", u"CreateIndex", u"ModifyIndex"},
                  {{u"Namespace"_s, u"default"_s}, {u"Partition"_s, u"default"_s}});

        const QJsonArray sources = entry.value(u"Sources").toArray();
        for (qsizetype i = 0; i < sources.size(); ++i) {
            const QJsonObject source = sources.at(i).toObject();
            const QString name = str(source, u"Name");
            const QString sourceWhere = join(where, quoted(u"source", name));
            const std::optional<model::IntentionAction> action
                = model::intentionActionFromString(str(source, u"Action"));
            // Description is a comment Meshpad writes its own of; Precedence,
            // Type and the Legacy* fields are Consul's.
            leftovers(source, sourceWhere,
                      {u"Name", u"Action", u"Description", u"Precedence", u"LegacyID", u"LegacyMeta",
                       u"LegacyCreateTime", u"LegacyUpdateTime", u"CreateTime", u"UpdateTime"},
                      {{u"Type"_s, u"consul"_s}, {u"Namespace"_s, u"default"_s}, {u"Partition"_s, u"default"_s}});
            if (!action) {
                note(sourceWhere, u"not imported: no allow/deny action (L7 permissions are not modelled)"_s);
                continue;
            }
            if (destination == u"*" && name == u"*") {
                everywhere = *action;
            } else if (name == u"*") {
                wildcards.append({destination, *action, sourceWhere});
            } else if (destination == u"*") {
                note(sourceWhere,
                     u"not imported: an intention to every service (Meshpad draws intentions as arrows)"_s);
            } else {
                bool matched = false;
                for (model::Upstream &u : design.upstreams) {
                    const model::Service *from = design.service(u.downstream);
                    const model::Service *to = design.service(u.destination);
                    if (from && to && from->name == name && to->name == destination) {
                        u.action = *action;
                        matched = true;
                    }
                }
                if (!matched)
                    note(sourceWhere,
                         u"not imported: %1 has no arrow from %2 (Meshpad draws intentions only as arrows)"_s.arg(
                             destination, name));
            }
        }
    }

    // `*` sources per destination mean the default policy when they say the
    // same for every service of the design (ConsulGenerator writes a `*`
    // deny into every service's entry under default deny; Consul's own
    // default with ACLs off is allow).
    bool uniform = !wildcards.isEmpty();
    for (const Wildcard &w : std::as_const(wildcards))
        uniform = uniform && w.action == wildcards.first().action && (!everywhere || *everywhere == w.action);
    if (uniform) {
        QSet<QString> covered;
        for (const Wildcard &w : std::as_const(wildcards))
            covered.insert(w.destination);
        for (const model::Service &s : std::as_const(design.services))
            uniform = uniform && covered.contains(s.name);
    }
    if (everywhere)
        design.settings.defaultPolicy = *everywhere;
    else if (uniform)
        design.settings.defaultPolicy = wildcards.first().action;
    if (!uniform) {
        for (const Wildcard &w : std::as_const(wildcards)) {
            if (everywhere && *everywhere == w.action)
                continue; // says what `*` → `*` says
            note(w.where, u"not imported: \"*\" → %1 %2 (Meshpad's default policy applies to every service)"_s.arg(
                              w.destination, model::toString(w.action)));
        }
    }
}

} // namespace

QString ImportNote::text() const
{
    QString out = job.isEmpty() ? QString() : u"job "_s + job + u": ";
    if (!where.isEmpty())
        out += where + u": ";
    return out + message;
}

JobImporter::Result JobImporter::importJobs(const QList<JobSource> &jobs, const QList<QJsonObject> &intentions)
{
    Importer importer;
    for (const JobSource &job : jobs)
        importer.addJob(job);
    importer.resolveUpstreams();
    importer.applyIntentions(intentions);
    return std::move(importer.result);
}

JobImporter::Result JobImporter::importJobs(const QList<QJsonObject> &jobs, const QList<QJsonObject> &intentions)
{
    QList<JobSource> sources;
    sources.reserve(jobs.size());
    for (const QJsonObject &job : jobs)
        sources.append({job, {}});
    return importJobs(sources, intentions);
}

mesh::Result<JobSource> JobImporter::readJob(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return fail(Error::Code::Parse, u"not a job: %1 at offset %2"_s.arg(error.errorString()).arg(error.offset));
    if (!document.isObject())
        return fail(Error::Code::Parse, u"not a job: the JSON is not an object"_s);

    JobSource source;
    QHash<QString, QStringList> order = JsonKeyOrder::scan(json);
    const QJsonObject root = document.object();
    // A register body ({"Job": {...}, ...}) has no ID of its own; a Job has.
    const bool wrapped = root.value(u"Job").isObject() && !root.contains(u"ID");
    source.job = wrapped ? root.value(u"Job").toObject() : root;
    const QString prefix = wrapped ? u"/Job"_s : QString();
    for (auto it = order.begin(); it != order.end(); ++it) {
        if (!wrapped)
            source.keyOrder.insert(it.key(), it.value());
        else if (it.key() == prefix || it.key().startsWith(prefix + u'/'))
            source.keyOrder.insert(it.key().mid(prefix.size()), it.value());
    }
    return source;
}

model::ServiceTemplate JobImporter::templateOf(const model::Service &service)
{
    if (service.driver == model::Driver::Docker)
        return model::ServiceTemplate::Docker;
    const QStringView program = QStringView(service.command).mid(service.command.lastIndexOf(u'/') + 1);
    if (program == u"counter")
        return model::ServiceTemplate::Counter;
    if (program == u"dashboard")
        return model::ServiceTemplate::Dashboard;
    return model::ServiceTemplate::Generic;
}

} // namespace mesh::importer
