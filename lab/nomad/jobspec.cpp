#include "jobspec.h"

#include "nomad/nomaddefaults.h"

#include <QJsonArray>
#include <QRandomGenerator>
#include <QSet>

using namespace Qt::StringLiterals;

namespace mesh::lab::nomad {

namespace {

constexpr qint64 kSecond = JobSpec::kSecond;

// Sets the keys of `defaults` that `object` lacks (a nil pointer in the api
// struct), so explicit values always win: the api Canonicalize methods fill
// only nil fields.
void fillDefaults(QJsonObject &object, const QJsonObject &defaults)
{
    for (auto it = defaults.begin(); it != defaults.end(); ++it) {
        if (!object.contains(it.key()))
            object.insert(it.key(), it.value());
    }
}

// The Connect hook's sidecar task (nomad/job_endpoint_hook_connect.go
// newConnectSidecarTask) for a service named `service`.
QJsonObject connectSidecarTask(const QString &taskName, const QString &service)
{
    const QJsonArray args{u"-c"_s,
                          u"${NOMAD_SECRETS_DIR}/envoy_bootstrap.json"_s,
                          u"-l"_s,
                          u"${meta.connect.log_level}"_s,
                          u"--concurrency"_s,
                          u"${meta.connect.proxy_concurrency}"_s,
                          u"--disable-hot-restart"_s};
    return {
        {u"Name"_s, taskName},
        {u"Kind"_s, QString(u"connect-proxy:"_s + service)},
        {u"Driver"_s, u"docker"_s},
        {u"Config"_s, QJsonObject{{u"image"_s, u"${meta.connect.sidecar_image}"_s}, {u"args"_s, args}}},
        {u"ShutdownDelay"_s, 5 * kSecond},
        {u"KillTimeout"_s, 5 * kSecond},
        {u"LogConfig"_s, QJsonObject{{u"MaxFiles"_s, 2}, {u"MaxFileSizeMB"_s, 2}, {u"Disabled"_s, false}}},
        {u"Resources"_s, QJsonObject{{u"CPU"_s, 250}, {u"MemoryMB"_s, 128}}},
        {u"Lifecycle"_s, QJsonObject{{u"Hook"_s, u"prestart"_s}, {u"Sidecar"_s, true}}},
        {u"Constraints"_s,
         QJsonArray{
             QJsonObject{{u"LTarget"_s, u"${attr.consul.version}"_s},
                         {u"RTarget"_s, u">= 1.8.0"_s},
                         {u"Operand"_s, u"semver"_s}},
             QJsonObject{{u"LTarget"_s, u"${attr.consul.grpc}"_s}, {u"RTarget"_s, u"0"_s}, {u"Operand"_s, u">"_s}}}},
    };
}

bool hasSidecar(const QJsonObject &service)
{
    return service.value(u"Connect").toObject().value(u"SidecarService").isObject();
}

// The Connect mutator for one group: a sidecar task and a dynamic port per
// sidecar service, unless they are there already (a job read back and
// registered again).
void injectConnect(QJsonObject &group)
{
    QJsonArray tasks = group.value(u"Tasks").toArray();
    QJsonArray networks = group.value(u"Networks").toArray();
    for (const QJsonValue &s : group.value(u"Services").toArray()) {
        const QJsonObject service = s.toObject();
        if (!hasSidecar(service))
            continue;
        const QString name = service.value(u"Name").toString();
        const QString kind = u"connect-proxy:"_s + name;

        bool haveTask = false;
        QSet<QString> taskNames;
        for (const QJsonValue &t : tasks) {
            taskNames.insert(t.toObject().value(u"Name").toString());
            if (t.toObject().value(u"Kind").toString() == kind)
                haveTask = true;
        }
        if (!haveTask) {
            QString taskName = u"connect-proxy-"_s + name;
            if (taskNames.contains(taskName)) // the hook appends 6 hex digits
                taskName
                    += u'-'
                       + QString::number(QRandomGenerator::global()->bounded(0x1000000), 16).rightJustified(6, u'0');
            QJsonObject task = connectSidecarTask(taskName, name);
            // SidecarTask merges in; a different driver replaces Config
            // (api/services.go SidecarTask.MergeIntoTask).
            const QJsonObject sidecarTask = service.value(u"Connect").toObject().value(u"SidecarTask").toObject();
            for (auto it = sidecarTask.begin(); it != sidecarTask.end(); ++it) {
                if (it.key() == u"Config") {
                    const bool sameDriver
                        = !sidecarTask.contains(u"Driver") || sidecarTask.value(u"Driver") == task.value(u"Driver");
                    QJsonObject config = sameDriver ? task.value(u"Config").toObject() : QJsonObject();
                    const QJsonObject extra = it.value().toObject();
                    for (auto c = extra.begin(); c != extra.end(); ++c)
                        config.insert(c.key(), c.value());
                    task.insert(u"Config", config);
                } else if (it.key() == u"Driver") {
                    if (it.value() != task.value(u"Driver") && !sidecarTask.contains(u"Config"))
                        task.insert(u"Config", QJsonObject());
                    task.insert(u"Driver", it.value());
                } else {
                    task.insert(it.key(), it.value());
                }
            }
            tasks.append(task);
        }

        // The port the sidecar listens on: its own dynamic port with To -1
        // ("same number inside the netns"), unless SidecarService.Port
        // names another label.
        const QString portLabel
            = service.value(u"Connect").toObject().value(u"SidecarService").toObject().value(u"Port").toString();
        if (portLabel.isEmpty() && networks.size() == 1) {
            const QString label = u"connect-proxy-"_s + name;
            QJsonObject network = networks.at(0).toObject();
            QJsonArray dynamic = network.value(u"DynamicPorts").toArray();
            bool have = false;
            for (const QJsonValue &p : dynamic)
                have = have || p.toObject().value(u"Label").toString() == label;
            for (const QJsonValue &p : network.value(u"ReservedPorts").toArray())
                have = have || p.toObject().value(u"Label").toString() == label;
            if (!have) {
                dynamic.append(QJsonObject{{u"Label"_s, label}, {u"Value"_s, 0}, {u"To"_s, -1}});
                network.insert(u"DynamicPorts", dynamic);
                networks.replace(0, network);
            }
        }
    }
    group.insert(u"Tasks", tasks);
    if (!networks.isEmpty())
        group.insert(u"Networks", networks);
}

void canonicalizeService(QJsonObject &service, const QString &job, const QString &group)
{
    if (service.value(u"Name").toString().isEmpty())
        service.insert(u"Name", QString(job + u'-' + group));
    fillDefaults(service,
                 {{u"AddressMode"_s, u"auto"_s}, {u"Provider"_s, u"consul"_s}, {u"OnUpdate"_s, u"require_healthy"_s}});
    QJsonArray checks = service.value(u"Checks").toArray();
    for (qsizetype i = 0; i < checks.size(); ++i) {
        QJsonObject check = checks.at(i).toObject();
        fillDefaults(check, {{u"OnUpdate"_s, service.value(u"OnUpdate")}});
        checks.replace(i, check);
    }
    if (!checks.isEmpty())
        service.insert(u"Checks", checks);
}

QString str(const QJsonObject &o, QStringView key)
{
    return o.value(key).toString();
}

QList<model::KeyValue> keyValues(const QJsonObject &map)
{
    // Go maps have no order; Nomad's server keeps none, so neither can we
    // (QJsonObject iterates sorted by key).
    QList<model::KeyValue> out;
    for (auto it = map.begin(); it != map.end(); ++it)
        out.append({it.key(), it.value().toString()});
    return out;
}

} // namespace

QJsonObject JobSpec::canonicalize(QJsonObject job, Stage stage)
{
    const QString id = str(job, u"ID");
    if (str(job, u"Name").isEmpty())
        job.insert(u"Name", id);
    fillDefaults(job, {{u"Type"_s, u"service"_s},
                       {u"ParentID"_s, QString()},
                       {u"Priority"_s, 50},
                       {u"AllAtOnce"_s, false},
                       {u"Region"_s, u"global"_s},
                       {u"Namespace"_s, u"default"_s},
                       {u"NodePool"_s, u"default"_s},
                       {u"Stop"_s, false},
                       {u"Dispatched"_s, false}});
    if (job.value(u"Datacenters").toArray().isEmpty())
        job.insert(u"Datacenters", QJsonArray{u"*"_s}); // Nomad 1.6+: every datacenter

    const bool service = str(job, u"Type") == u"service";
    QJsonObject update = job.value(u"Update").toObject();
    if (service || job.contains(u"Update")) {
        fillDefaults(update, mesh::nomad::NomadDefaults::updateStrategy());
        job.insert(u"Update", update);
    }

    QJsonArray groups = job.value(u"TaskGroups").toArray();
    for (qsizetype g = 0; g < groups.size(); ++g) {
        QJsonObject group = groups.at(g).toObject();
        const QString groupName = str(group, u"Name");
        // Services get their default names first: the Connect hook names its
        // task after the service (as Nomad's API canonicalizes the job before
        // the server's connect hook runs), and a second pass must find the
        // task it injected the first time.
        QJsonArray services = group.value(u"Services").toArray();
        for (qsizetype s = 0; s < services.size(); ++s) {
            QJsonObject svc = services.at(s).toObject();
            canonicalizeService(svc, id, groupName);
            services.replace(s, svc);
        }
        if (!services.isEmpty())
            group.insert(u"Services", services);
        if (stage == Stage::Registered)
            injectConnect(group);

        fillDefaults(group, {{u"Count"_s, 1}});
        QJsonObject disk = group.value(u"EphemeralDisk").toObject();
        fillDefaults(disk, {{u"Sticky"_s, false}, {u"Migrate"_s, false}, {u"SizeMB"_s, 300}});
        group.insert(u"EphemeralDisk", disk);

        QJsonObject restart = group.value(u"RestartPolicy").toObject();
        fillDefaults(restart, mesh::nomad::NomadDefaults::restartPolicy(service));
        group.insert(u"RestartPolicy", restart);
        if (service) {
            QJsonObject reschedule = group.value(u"ReschedulePolicy").toObject();
            fillDefaults(reschedule, mesh::nomad::NomadDefaults::reschedulePolicy());
            group.insert(u"ReschedulePolicy", reschedule);
            QJsonObject migrate = group.value(u"Migrate").toObject();
            fillDefaults(migrate, mesh::nomad::NomadDefaults::migrateStrategy());
            group.insert(u"Migrate", migrate);
        }
        if (job.contains(u"Update")) {
            // The group's update block is the job's with the group's fields on top.
            QJsonObject groupUpdate = group.value(u"Update").toObject();
            fillDefaults(groupUpdate, job.value(u"Update").toObject());
            group.insert(u"Update", groupUpdate);
        }

        QJsonArray tasks = group.value(u"Tasks").toArray();
        for (qsizetype t = 0; t < tasks.size(); ++t) {
            QJsonObject task = tasks.at(t).toObject();
            QJsonObject resources = task.value(u"Resources").toObject();
            fillDefaults(resources, {{u"CPU"_s, 100}, {u"MemoryMB"_s, 300}});
            task.insert(u"Resources", resources);
            QJsonObject logs = task.value(u"LogConfig").toObject();
            fillDefaults(logs, {{u"MaxFiles"_s, 10}, {u"MaxFileSizeMB"_s, 10}, {u"Disabled"_s, false}});
            task.insert(u"LogConfig", logs);
            QJsonObject taskRestart = task.value(u"RestartPolicy").toObject();
            fillDefaults(taskRestart, restart);
            task.insert(u"RestartPolicy", taskRestart);
            fillDefaults(task, {{u"KillTimeout"_s, 5 * kSecond}, {u"Leader"_s, false}, {u"ShutdownDelay"_s, 0}});
            QJsonArray taskServices = task.value(u"Services").toArray();
            for (qsizetype s = 0; s < taskServices.size(); ++s) {
                QJsonObject svc = taskServices.at(s).toObject();
                canonicalizeService(svc, id, groupName);
                taskServices.replace(s, svc);
            }
            if (!taskServices.isEmpty())
                task.insert(u"Services", taskServices);
            tasks.replace(t, task);
        }
        group.insert(u"Tasks", tasks);
        groups.replace(g, group);
    }
    job.insert(u"TaskGroups", groups);
    return job;
}

QStringList JobSpec::validate(const QJsonObject &job)
{
    QStringList errors;
    const QString type = str(job, u"Type");
    static const QStringList types{u"service"_s, u"batch"_s, u"system"_s, u"sysbatch"_s};
    if (!types.contains(type))
        errors.append(u"Invalid job type: \"%1\""_s.arg(type));
    const qint64 priority = job.value(u"Priority").toInteger();
    if (priority < 1 || priority > 100)
        errors.append(u"Job priority must be between [1, 100]"_s);

    const QJsonArray groups = job.value(u"TaskGroups").toArray();
    if (groups.isEmpty())
        errors.append(u"Missing job task groups"_s);

    // Admission validator first (nomad/job_endpoint_hook_connect.go
    // groupConnectSidecarValidate): its errors join the same list.
    for (const QJsonValue &g : groups) {
        const QJsonObject group = g.toObject();
        for (const QJsonValue &s : group.value(u"Services").toArray()) {
            if (!hasSidecar(s.toObject()))
                continue;
            const QJsonArray networks = group.value(u"Networks").toArray();
            if (networks.size() != 1)
                errors.append(u"Consul Connect sidecars require exactly 1 network, found %1 in group \"%2\""_s
                                  .arg(networks.size())
                                  .arg(str(group, u"Name")));
            else if (str(networks.at(0).toObject(), u"Mode") != u"bridge")
                errors.append(u"Consul Connect sidecar requires bridge network, found \"%1\" in group \"%2\""_s.arg(
                    str(networks.at(0).toObject(), u"Mode"), str(group, u"Name")));
            break;
        }
    }

    QHash<QString, int> groupIndex;
    for (qsizetype g = 0; g < groups.size(); ++g) {
        const QJsonObject group = groups.at(g).toObject();
        const QString name = str(group, u"Name");
        if (name.isEmpty()) {
            errors.append(u"Job task group %1 missing name"_s.arg(g + 1));
            continue;
        }
        if (groupIndex.contains(name)) {
            errors.append(u"Job task group %1 redefines '%2' from group %3"_s.arg(g + 1).arg(name).arg(
                groupIndex.value(name) + 1));
            continue;
        }
        groupIndex.insert(name, int(g));

        // nomad/structs/structs.go TaskGroup.Validate, the parts the lab
        // jobs can get wrong.
        QStringList groupErrors;
        if (group.value(u"Count").toInteger() < 0)
            groupErrors.append(u"Task group count can't be negative"_s);
        const QJsonArray tasks = group.value(u"Tasks").toArray();
        if (tasks.isEmpty())
            groupErrors.append(u"Missing tasks for task group"_s);
        QHash<QString, int> taskIndex;
        for (qsizetype t = 0; t < tasks.size(); ++t) {
            const QString taskName = str(tasks.at(t).toObject(), u"Name");
            if (taskName.isEmpty())
                groupErrors.append(u"Task %1 missing name"_s.arg(t + 1));
            else if (taskIndex.contains(taskName))
                groupErrors.append(u"Task %1 redefines '%2' from task %3"_s.arg(t + 1).arg(taskName).arg(
                    taskIndex.value(taskName) + 1));
            else
                taskIndex.insert(taskName, int(t));
        }
        for (const QJsonValue &t : tasks) {
            const QJsonObject task = t.toObject();
            QStringList taskErrors;
            if (str(task, u"Name").isEmpty())
                taskErrors.append(u"Missing task name"_s);
            if (str(task, u"Driver").isEmpty())
                taskErrors.append(u"Missing task driver"_s);
            if (!taskErrors.isEmpty())
                groupErrors.append(
                    u"Task %1 validation failed: %2"_s.arg(str(task, u"Name"), multierrorText(taskErrors)));
        }
        if (!groupErrors.isEmpty())
            errors.append(u"Task group %1 validation failed: %2"_s.arg(name, multierrorText(groupErrors)));
    }
    return errors;
}

QString JobSpec::multierrorText(const QStringList &errors)
{
    // hashicorp/go-multierror format.go ListFormatFunc.
    if (errors.size() == 1)
        return u"1 error occurred:\n\t* "_s + errors.first() + u"\n\n"_s;
    QStringList points;
    for (const QString &e : errors)
        points.append(u"* "_s + e);
    return u"%1 errors occurred:\n\t%2\n\n"_s.arg(errors.size()).arg(points.join(u"\n\t"_s));
}

QJsonObject JobSpec::specOf(const QJsonObject &job)
{
    QJsonObject spec = job;
    for (const char16_t *key : {u"Status", u"StatusDescription", u"Stable", u"Version", u"SubmitTime", u"CreateIndex",
                                u"ModifyIndex", u"JobModifyIndex", u"Stop"})
        spec.remove(QStringView(key));
    return spec;
}

bool JobSpec::isConnectProxyTask(const QJsonObject &task)
{
    return str(task, u"Kind").startsWith(u"connect-proxy:");
}

RunModel JobSpec::runModel(const QJsonObject &job)
{
    RunModel out;
    const QString jobId = str(job, u"ID");
    for (const QJsonValue &g : job.value(u"TaskGroups").toArray()) {
        const QJsonObject group = g.toObject();
        model::Service s;
        s.job = jobId;
        s.group = str(group, u"Name");
        s.count = int(group.value(u"Count").toInteger(1));

        // The group's own task: the lab runs one per group and provides the
        // sidecar itself, so the injected connect-proxy task is skipped.
        QJsonObject task;
        for (const QJsonValue &t : group.value(u"Tasks").toArray()) {
            if (!isConnectProxyTask(t.toObject())) {
                task = t.toObject();
                break;
            }
        }
        s.task = str(task, u"Name");
        s.driver = model::driverFromString(str(task, u"Driver")).value_or(model::Driver::Exec);
        const QJsonObject config = task.value(u"Config").toObject();
        s.command = str(config, u"command");
        s.image = str(config, u"image");
        for (const QJsonValue &a : config.value(u"args").toArray())
            s.args.append(a.toString());
        s.env = keyValues(task.value(u"Env").toObject());
        // 0 in the model means "Nomad's default", which canonicalization wrote
        // out as 100 MHz / 300 MB: the same resources, so map them back.
        const QJsonObject resources = task.value(u"Resources").toObject();
        const int cpu = int(resources.value(u"CPU").toInteger());
        const int memory = int(resources.value(u"MemoryMB").toInteger());
        s.resources.cpuMhz = cpu == 100 ? 0 : cpu;
        s.resources.memoryMb = memory == 300 ? 0 : memory;

        const QJsonObject network = group.value(u"Networks").toArray().first().toObject();
        s.networkMode = str(network, u"Mode") == u"bridge" ? model::NetworkMode::Bridge : model::NetworkMode::Host;
        for (const QJsonValue &p : network.value(u"ReservedPorts").toArray()) {
            const QJsonObject port = p.toObject();
            s.ports.append(
                {str(port, u"Label"), int(port.value(u"To").toInteger()), int(port.value(u"Value").toInteger())});
        }
        for (const QJsonValue &p : network.value(u"DynamicPorts").toArray()) {
            const QJsonObject port = p.toObject();
            if (str(port, u"Label").startsWith(u"connect-proxy-"))
                continue; // the injected sidecar port
            s.ports.append({str(port, u"Label"), int(port.value(u"To").toInteger()), 0});
        }

        const QJsonObject service = group.value(u"Services").toArray().first().toObject();
        s.name = service.isEmpty() ? jobId + u'-' + s.group : str(service, u"Name");
        s.id = {s.name};
        s.port = str(service, u"PortLabel");
        s.connectSidecar = hasSidecar(service);
        s.tags.clear();
        for (const QJsonValue &t : service.value(u"Tags").toArray())
            s.tags.append(t.toString());
        s.meta = keyValues(service.value(u"Meta").toObject());
        const QJsonObject check = service.value(u"Checks").toArray().first().toObject();
        if (!check.isEmpty()) {
            s.check.kind = model::checkKindFromString(str(check, u"Type")).value_or(model::CheckKind::None);
            if (check.contains(u"Path"))
                s.check.path = str(check, u"Path");
            s.check.intervalMs = int(check.value(u"Interval").toInteger() / 1'000'000);
            s.check.timeoutMs = int(check.value(u"Timeout").toInteger() / 1'000'000);
        }

        const QJsonObject proxy
            = service.value(u"Connect").toObject().value(u"SidecarService").toObject().value(u"Proxy").toObject();
        for (const QJsonValue &u : proxy.value(u"Upstreams").toArray()) {
            const QJsonObject upstream = u.toObject();
            model::Upstream arrow;
            arrow.downstream = s.id;
            arrow.destination = {str(upstream, u"DestinationName")};
            arrow.id = {s.name + u"-to-"_s + arrow.destination.value};
            arrow.localBindAddress = str(upstream, u"LocalBindAddress");
            arrow.localBindPort = int(upstream.value(u"LocalBindPort").toInteger());
            out.upstreams.append(arrow);
        }
        out.services.append(std::move(s));
    }
    return out;
}

} // namespace mesh::lab::nomad
