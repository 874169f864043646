#include "runtimeenvironment.h"

#include <QDir>

namespace mesh::lab {

namespace {
// Nomad's defaults when a task sets no resources (hashicorp/nomad: api/resources.go).
constexpr int kDefaultCpuMhz = 100;
constexpr int kDefaultMemoryMb = 300;
} // namespace

QString RuntimeEnvironment::destinationName(const model::Topology &topology, const model::Upstream &upstream)
{
    const model::Service *destination = topology.service(upstream.destination);
    return destination ? destination->name : upstream.destination.value;
}

RuntimeEnvironment::RuntimeEnvironment(const Inputs &inputs)
    : m_inputs(inputs)
{
    Q_ASSERT(inputs.topology && inputs.service);
    const model::Service &service = *inputs.service;
    const AllocationPlan &plan = inputs.plan;
    const QString nodeIp = inputs.node.address.toString();
    const QString allocIp = plan.address.toString();

    add(QStringLiteral("NOMAD_ALLOC_ID"), plan.allocId);
    add(QStringLiteral("NOMAD_SHORT_ALLOC_ID"), plan.allocId.left(8));
    add(QStringLiteral("NOMAD_ALLOC_NAME"), plan.allocName);
    add(QStringLiteral("NOMAD_ALLOC_INDEX"), QString::number(plan.index));
    add(QStringLiteral("NOMAD_JOB_ID"), service.job);
    add(QStringLiteral("NOMAD_JOB_NAME"), service.job);
    add(QStringLiteral("NOMAD_GROUP_NAME"), service.group);
    add(QStringLiteral("NOMAD_TASK_NAME"), service.task);
    add(QStringLiteral("NOMAD_DC"), inputs.topology->settings.datacenter);
    add(QStringLiteral("NOMAD_NAMESPACE"), QStringLiteral("default"));
    add(QStringLiteral("NOMAD_REGION"), QStringLiteral("global"));
    if (!inputs.allocDir.isEmpty()) {
        const QDir alloc(inputs.allocDir);
        add(QStringLiteral("NOMAD_ALLOC_DIR"), alloc.filePath(QStringLiteral("alloc")));
        add(QStringLiteral("NOMAD_TASK_DIR"), alloc.filePath(service.task + QStringLiteral("/local")));
        add(QStringLiteral("NOMAD_SECRETS_DIR"), alloc.filePath(service.task + QStringLiteral("/secrets")));
    }
    add(QStringLiteral("NOMAD_CPU_LIMIT"),
        QString::number(service.resources.cpuMhz > 0 ? service.resources.cpuMhz : kDefaultCpuMhz));
    add(QStringLiteral("NOMAD_MEMORY_LIMIT"),
        QString::number(service.resources.memoryMb > 0 ? service.resources.memoryMb : kDefaultMemoryMb));

    // Group ports (addPorts): the label is cleaned for the NOMAD_ADDR_/IP_/
    // PORT_/HOST_PORT_ names; HOST_ADDR/HOST_IP/ALLOC_* keep it raw.
    const auto addPort = [&](const QString &label, quint16 hostPort, quint16 to) {
        const QString clean = model::cleanEnvVarName(label);
        const QString inside = QString::number(to > 0 ? to : hostPort);
        const QString host = QString::number(hostPort);
        add(QStringLiteral("NOMAD_PORT_") + clean, inside);
        add(QStringLiteral("NOMAD_ALLOC_PORT_") + label, inside);
        add(QStringLiteral("NOMAD_HOST_PORT_") + clean, host);
        add(QStringLiteral("NOMAD_ADDR_") + clean, nodeIp + u':' + host);
        add(QStringLiteral("NOMAD_HOST_ADDR_") + label, nodeIp + u':' + host);
        add(QStringLiteral("NOMAD_IP_") + clean, nodeIp);
        add(QStringLiteral("NOMAD_HOST_IP_") + label, nodeIp);
        add(QStringLiteral("NOMAD_ALLOC_IP_") + label, allocIp);
        add(QStringLiteral("NOMAD_ALLOC_ADDR_") + label, allocIp + u':' + inside);
    };
    for (const AllocatedPort &port : inputs.ports)
        addPort(port.label, port.hostPort, port.to);
    if (inputs.sidecarPort != 0)
        addPort(QStringLiteral("connect-proxy-") + service.name, inputs.sidecarPort, 0);

    // Upstreams of every sidecar service in the group (buildUpstreamsEnv),
    // under the raw and the cleaned destination name.
    for (const model::Service &member : inputs.topology->services) {
        if (member.job != service.job || member.group != service.group || !member.connectSidecar)
            continue;
        for (const model::Upstream *upstream : inputs.topology->upstreamsFrom(member.id)) {
            const QString destination = destinationName(*inputs.topology, *upstream);
            const QString port = QString::number(upstream->localBindPort);
            for (const QString &name : {destination, model::cleanEnvVarName(destination)}) {
                add(QStringLiteral("NOMAD_UPSTREAM_IP_") + name, allocIp);
                add(QStringLiteral("NOMAD_UPSTREAM_PORT_") + name, port);
                add(QStringLiteral("NOMAD_UPSTREAM_ADDR_") + name, allocIp + u':' + port);
            }
        }
    }

    m_nodeAttributes.insert(QStringLiteral("node.unique.name"), inputs.node.name);
    m_nodeAttributes.insert(QStringLiteral("node.unique.id"), inputs.node.name);
    m_nodeAttributes.insert(QStringLiteral("node.datacenter"), inputs.topology->settings.datacenter);
    m_nodeAttributes.insert(QStringLiteral("node.region"), QStringLiteral("global"));
    m_nodeAttributes.insert(QStringLiteral("attr.unique.network.ip-address"), nodeIp);
    m_nodeAttributes.insert(QStringLiteral("attr.unique.hostname"), inputs.node.name);
}

QString RuntimeEnvironment::interpolate(const QString &text) const
{
    QString result;
    result.reserve(text.size());
    qsizetype i = 0;
    while (i < text.size()) {
        const qsizetype open = text.indexOf(QStringLiteral("${"), i);
        if (open < 0) {
            result += QStringView(text).mid(i);
            break;
        }
        const qsizetype close = text.indexOf(u'}', open + 2);
        if (close < 0) {
            result += QStringView(text).mid(i);
            break;
        }
        result += QStringView(text).mid(i, open - i);
        const QString name = text.mid(open + 2, close - open - 2).trimmed();
        const auto variable = m_variables.constFind(name);
        const auto attribute = m_nodeAttributes.constFind(name);
        if (variable != m_variables.constEnd())
            result += *variable;
        else if (attribute != m_nodeAttributes.constEnd())
            result += *attribute;
        else
            result += QStringView(text).mid(open, close - open + 1);
        i = close + 1;
    }
    return result;
}

QMap<QString, QString> RuntimeEnvironment::taskEnvironment() const
{
    QMap<QString, QString> environment = m_variables;
    for (const model::KeyValue &entry : m_inputs.service->env)
        environment.insert(entry.key, interpolate(entry.value));
    return environment;
}

QStringList RuntimeEnvironment::taskArguments() const
{
    QStringList arguments;
    arguments.reserve(m_inputs.service->args.size());
    for (const QString &argument : m_inputs.service->args)
        arguments.append(interpolate(argument));
    return arguments;
}

} // namespace mesh::lab
