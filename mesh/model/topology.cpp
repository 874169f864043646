#include "topology.h"

namespace mesh::model {

namespace {

template<class Enum, size_t N>
std::optional<Enum> lookup(QStringView text, const std::pair<Enum, QStringView> (&table)[N])
{
    for (const auto &[value, word] : table) {
        if (word == text)
            return value;
    }
    return std::nullopt;
}

template<class Enum, size_t N>
QString word(Enum value, const std::pair<Enum, QStringView> (&table)[N])
{
    for (const auto &[v, w] : table) {
        if (v == value)
            return w.toString();
    }
    Q_UNREACHABLE();
    return {};
}

constexpr std::pair<Driver, QStringView> kDrivers[]
    = {{Driver::Exec, u"exec"}, {Driver::RawExec, u"raw_exec"}, {Driver::Docker, u"docker"}};
constexpr std::pair<NetworkMode, QStringView> kModes[]
    = {{NetworkMode::Bridge, u"bridge"}, {NetworkMode::Host, u"host"}};
constexpr std::pair<IntentionAction, QStringView> kActions[]
    = {{IntentionAction::Allow, u"allow"}, {IntentionAction::Deny, u"deny"}};
constexpr std::pair<CheckKind, QStringView> kChecks[]
    = {{CheckKind::None, u"none"}, {CheckKind::Http, u"http"}, {CheckKind::Tcp, u"tcp"}};
constexpr std::pair<ServiceTemplate, QStringView> kTemplates[] = {{ServiceTemplate::Generic, u"generic"},
                                                                  {ServiceTemplate::Counter, u"counter"},
                                                                  {ServiceTemplate::Dashboard, u"dashboard"},
                                                                  {ServiceTemplate::Docker, u"docker"}};
constexpr std::pair<ScriptProxy, QStringView> kScriptProxies[]
    = {{ScriptProxy::Consul, u"consul"}, {ScriptProxy::Meshpad, u"meshpad"}};

} // namespace

QString toString(Driver v)
{
    return word(v, kDrivers);
}
QString toString(NetworkMode v)
{
    return word(v, kModes);
}
QString toString(IntentionAction v)
{
    return word(v, kActions);
}
QString toString(CheckKind v)
{
    return word(v, kChecks);
}
QString toString(ServiceTemplate v)
{
    return word(v, kTemplates);
}
QString toString(ScriptProxy v)
{
    return word(v, kScriptProxies);
}
std::optional<Driver> driverFromString(QStringView t)
{
    return lookup(t, kDrivers);
}
std::optional<NetworkMode> networkModeFromString(QStringView t)
{
    return lookup(t, kModes);
}
std::optional<IntentionAction> intentionActionFromString(QStringView t)
{
    return lookup(t, kActions);
}
std::optional<CheckKind> checkKindFromString(QStringView t)
{
    return lookup(t, kChecks);
}
std::optional<ServiceTemplate> serviceTemplateFromString(QStringView t)
{
    return lookup(t, kTemplates);
}
std::optional<ScriptProxy> scriptProxyFromString(QStringView t)
{
    return lookup(t, kScriptProxies);
}

const PortMapping *Service::portMapping(QStringView label) const
{
    for (const PortMapping &p : ports) {
        if (p.label == label)
            return &p;
    }
    return nullptr;
}

std::optional<int> Service::servicePortNumber() const
{
    bool isNumber = false;
    const int number = port.toInt(&isNumber);
    if (isNumber)
        return number;
    if (const PortMapping *mapping = portMapping(port)) {
        if (mapping->to > 0)
            return mapping->to;
        if (mapping->staticPort > 0)
            return mapping->staticPort;
    }
    return std::nullopt;
}

const Service *Topology::service(const ServiceId &id) const
{
    for (const Service &s : services) {
        if (s.id == id)
            return &s;
    }
    return nullptr;
}

const Service *Topology::serviceByName(QStringView serviceName) const
{
    for (const Service &s : services) {
        if (s.name == serviceName)
            return &s;
    }
    return nullptr;
}

const Upstream *Topology::upstream(const UpstreamId &id) const
{
    for (const Upstream &u : upstreams) {
        if (u.id == id)
            return &u;
    }
    return nullptr;
}

QList<const Upstream *> Topology::upstreamsFrom(const ServiceId &id) const
{
    QList<const Upstream *> out;
    for (const Upstream &u : upstreams) {
        if (u.downstream == id)
            out.append(&u);
    }
    return out;
}

QList<const Upstream *> Topology::upstreamsTo(const ServiceId &id) const
{
    QList<const Upstream *> out;
    for (const Upstream &u : upstreams) {
        if (u.destination == id)
            out.append(&u);
    }
    return out;
}

QStringList Topology::jobNames() const
{
    QStringList names;
    for (const Service &s : services) {
        if (!s.external && !names.contains(s.job))
            names.append(s.job);
    }
    return names;
}

QList<const Service *> Topology::servicesOfJob(QStringView job) const
{
    QList<const Service *> out;
    for (const Service &s : services) {
        if (!s.external && s.job == job)
            out.append(&s);
    }
    return out;
}

QString cleanEnvVarName(QStringView name)
{
    QString out;
    out.reserve(name.size());
    for (qsizetype i = 0; i < name.size(); ++i) {
        const char16_t c = name[i].unicode();
        const bool letter = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z');
        const bool digit = c >= u'0' && c <= u'9';
        if (letter || c == u'_' || c == u'.' || (digit && i > 0))
            out += QChar(c);
        else
            out += u'_';
    }
    return out;
}

} // namespace mesh::model
