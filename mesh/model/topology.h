#pragma once

#include "ids.h"

#include <QList>
#include <QPointF>
#include <QString>
#include <QStringList>

#include <optional>

namespace mesh::model {

enum class Driver { Exec, RawExec, Docker };
enum class NetworkMode { Bridge, Host };
enum class IntentionAction { Allow, Deny };
enum class CheckKind { None, Http, Tcp };
// Where a service came from in the palette; gives defaults, never limits.
enum class ServiceTemplate { Generic, Counter, Dashboard, Docker };
// Which sidecar proxy the generated scripts run: Consul's built-in one, as
// the seed post does, or Meshpad's own (`meshpad proxy -sidecar-for`).
enum class ScriptProxy { Consul, Meshpad };

// The words used in Nomad/Consul files and in our project file.
QString toString(Driver driver);          // "exec", "raw_exec", "docker"
QString toString(NetworkMode mode);       // "bridge", "host"
QString toString(IntentionAction action); // "allow", "deny"
QString toString(CheckKind kind);         // "none", "http", "tcp"
QString toString(ServiceTemplate kind);   // "generic", "counter", "dashboard", "docker"
QString toString(ScriptProxy proxy);      // "consul", "meshpad"
std::optional<Driver> driverFromString(QStringView text);
std::optional<NetworkMode> networkModeFromString(QStringView text);
std::optional<IntentionAction> intentionActionFromString(QStringView text);
std::optional<CheckKind> checkKindFromString(QStringView text);
std::optional<ServiceTemplate> serviceTemplateFromString(QStringView text);
std::optional<ScriptProxy> scriptProxyFromString(QStringView text);

struct KeyValue
{
    QString key;
    QString value;
    friend bool operator==(const KeyValue &, const KeyValue &) = default;
};

// A named port of the group network (`port "http" { to = 9002 }`).
struct PortMapping
{
    QString label;
    int to = 0;         // port inside the allocation; 0 = same as the host port
    int staticPort = 0; // fixed host port; 0 = dynamic (Nomad picks one)
    friend bool operator==(const PortMapping &, const PortMapping &) = default;
};

struct HealthCheck
{
    CheckKind kind = CheckKind::None;
    QString path = QStringLiteral("/health"); // HTTP checks only
    int intervalMs = 10000;
    int timeoutMs = 2000;
    friend bool operator==(const HealthCheck &, const HealthCheck &) = default;
};

// Task resources; 0 leaves Nomad's default (CPU 100 MHz, 300 MB).
struct Resources
{
    int cpuMhz = 0;
    int memoryMb = 0;
    friend bool operator==(const Resources &, const Resources &) = default;
};

// One node of the canvas: a Consul service and the Nomad job/group/task that
// runs it. Services sharing a job name become groups of one job.
struct Service
{
    ServiceId id;
    ServiceTemplate templateKind = ServiceTemplate::Generic;

    QString name; // Consul service name (a DNS label)
    QString job;
    QString group;
    QString task;
    int count = 1;

    Driver driver = Driver::Exec;
    QString command; // exec / raw_exec
    QStringList args;
    QString image;       // docker
    QList<KeyValue> env; // in the order the user gave

    NetworkMode networkMode = NetworkMode::Bridge;
    QList<PortMapping> ports;
    // The service port, as Nomad's `port` of a service: a number ("9001")
    // or the label of one of `ports` ("http").
    QString port;
    bool connectSidecar = true; // `connect { sidecar_service {} }`

    HealthCheck check;
    QStringList tags;
    QList<KeyValue> meta;
    Resources resources;

    // A service the design calls but does not run (imported as the
    // destination of an upstream no imported job defines): drawn, validated
    // and given intentions, but no job, registration or run script is
    // generated or deployed for it, and the lab does not run it. Its job,
    // group, task and ports may be empty.
    bool external = false;

    QPointF position; // top-left of its card on the canvas

    // The port number the application listens on, if `port` names one:
    // a number, or a label's `to` (else its static port). nullopt otherwise.
    std::optional<int> servicePortNumber() const;
    const PortMapping *portMapping(QStringView label) const;

    friend bool operator==(const Service &, const Service &) = default;
};

// One arrow: `downstream` calls `destination` through a local listener.
struct Upstream
{
    UpstreamId id;
    ServiceId downstream;
    ServiceId destination;
    QString localBindAddress; // empty = 127.0.0.1 (Consul's default)
    int localBindPort = 0;
    IntentionAction action = IntentionAction::Allow;

    friend bool operator==(const Upstream &, const Upstream &) = default;
};

struct LabSettings
{
    int leafTtlHours = 72;         // lab leaf certificates, as Consul's default
    int dashboardRefreshMs = 1000; // how often lab dashboards push a count
    int healthIntervalMs = 2000;   // lab health checks of services without one
    friend bool operator==(const LabSettings &, const LabSettings &) = default;
};

struct MeshSettings
{
    QString datacenter = QStringLiteral("dc1");
    // What applies when no arrow (intention) names a source.
    IntentionAction defaultPolicy = IntentionAction::Allow;
    ScriptProxy scriptProxy = ScriptProxy::Consul;
    LabSettings lab;
    friend bool operator==(const MeshSettings &, const MeshSettings &) = default;
};

// The whole design, as plain values. TopologyModel owns the editable one.
struct Topology
{
    QString name;
    MeshSettings settings;
    QList<Service> services;
    QList<Upstream> upstreams;

    const Service *service(const ServiceId &id) const;
    const Service *serviceByName(QStringView name) const;
    const Upstream *upstream(const UpstreamId &id) const;
    // Arrows leaving `id` (its upstreams), in file order.
    QList<const Upstream *> upstreamsFrom(const ServiceId &id) const;
    // Arrows arriving at `id`, in file order.
    QList<const Upstream *> upstreamsTo(const ServiceId &id) const;
    // Job names in first-appearance order, and the services of one job;
    // external services belong to no job.
    QStringList jobNames() const;
    QList<const Service *> servicesOfJob(QStringView job) const;

    friend bool operator==(const Topology &, const Topology &) = default;
};

// Nomad's env-var form of a name (helper.CleanEnvVar): letters, '_' and '.'
// kept, digits kept except first, everything else becomes '_'.
// "count-api" -> "count_api".
QString cleanEnvVarName(QStringView name);

} // namespace mesh::model
