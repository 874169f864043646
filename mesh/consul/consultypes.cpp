#include "consultypes.h"

#include "api/jsonfields.h"

using namespace Qt::StringLiterals;

namespace mesh::consul {

using api::JsonFields;

namespace {

// Each element of the array at `key` decoded with T::fromJson at its path.
template<class T, class Decode>
QList<T> listOf(JsonFields &f, QLatin1StringView key, Decode decode)
{
    QList<T> out;
    const QJsonArray a = f.array(key);
    for (qsizetype i = 0; i < a.size() && f.ok(); ++i)
        out << f.take(decode(a.at(i), f.pathOf(key, i)));
    return out;
}

Result<Upstream> decodeUpstream(const QJsonValue &json, const QString &path)
{
    JsonFields f(json, path);
    Upstream u;
    u.destinationType = f.string("DestinationType"_L1);
    u.destinationName = f.string("DestinationName"_L1);
    u.datacenter = f.string("Datacenter"_L1);
    u.localBindAddress = f.string("LocalBindAddress"_L1);
    u.localBindPort = int(f.integer("LocalBindPort"_L1));
    u.config = f.object("Config"_L1);
    return f.finish(u);
}

Result<ProxyConfig> decodeProxy(const QJsonValue &json, const QString &path)
{
    JsonFields f(json, path);
    ProxyConfig p;
    p.destinationServiceName = f.string("DestinationServiceName"_L1);
    p.destinationServiceID = f.string("DestinationServiceID"_L1);
    p.localServiceAddress = f.string("LocalServiceAddress"_L1);
    p.localServicePort = int(f.integer("LocalServicePort"_L1));
    p.config = f.object("Config"_L1);
    p.upstreams = listOf<Upstream>(f, "Upstreams"_L1, decodeUpstream);
    return f.finish(p);
}

Result<AgentService> decodeService(const QJsonValue &json, const QString &path)
{
    JsonFields f(json, path);
    AgentService s;
    s.kind = f.string("Kind"_L1);
    s.id = f.string("ID"_L1);
    s.service = f.string("Service"_L1);
    s.tags = f.strings("Tags"_L1);
    s.meta = f.stringMap("Meta"_L1);
    s.address = f.string("Address"_L1);
    s.port = int(f.integer("Port"_L1));
    if (f.has("Proxy"_L1))
        s.proxy = f.take(decodeProxy(f.value("Proxy"_L1), f.pathOf("Proxy"_L1)));
    if (f.has("Connect"_L1)) {
        JsonFields connect(f.value("Connect"_L1), f.pathOf("Connect"_L1));
        s.connectNative = connect.boolean("Native"_L1);
        if (!connect.ok())
            f.take(connect.error());
    }
    s.contentHash = f.string("ContentHash"_L1);
    s.createIndex = f.unsignedInteger("CreateIndex"_L1);
    s.modifyIndex = f.unsignedInteger("ModifyIndex"_L1);
    s.raw = f.raw();
    return f.finish(s);
}

Result<NodeInfo> decodeNode(const QJsonValue &json, const QString &path)
{
    JsonFields f(json, path);
    NodeInfo n;
    n.id = f.string("ID"_L1);
    n.node = f.string("Node"_L1);
    n.address = f.string("Address"_L1);
    n.datacenter = f.string("Datacenter"_L1);
    return f.finish(n);
}

Result<HealthCheck> decodeCheck(const QJsonValue &json, const QString &path)
{
    JsonFields f(json, path);
    HealthCheck c;
    c.node = f.string("Node"_L1);
    c.checkID = f.string("CheckID"_L1);
    c.name = f.string("Name"_L1);
    c.status = f.string("Status"_L1);
    c.output = f.string("Output"_L1);
    c.serviceID = f.string("ServiceID"_L1);
    c.serviceName = f.string("ServiceName"_L1);
    return f.finish(c);
}

Result<CARoot> decodeRoot(const QJsonValue &json, const QString &path)
{
    JsonFields f(json, path);
    CARoot r;
    r.id = f.string("ID"_L1);
    r.name = f.string("Name"_L1);
    r.rootCertPem = f.string("RootCert"_L1);
    r.intermediateCertPems = f.strings("IntermediateCerts"_L1);
    r.active = f.boolean("Active"_L1);
    r.createIndex = f.unsignedInteger("CreateIndex"_L1);
    r.modifyIndex = f.unsignedInteger("ModifyIndex"_L1);
    return f.finish(r);
}

} // namespace

Result<Upstream> Upstream::fromJson(const QJsonValue &json)
{
    return decodeUpstream(json, {});
}
Result<ProxyConfig> ProxyConfig::fromJson(const QJsonValue &json)
{
    return decodeProxy(json, {});
}
Result<AgentService> AgentService::fromJson(const QJsonValue &json)
{
    return decodeService(json, {});
}
Result<NodeInfo> NodeInfo::fromJson(const QJsonValue &json)
{
    return decodeNode(json, {});
}
Result<HealthCheck> HealthCheck::fromJson(const QJsonValue &json)
{
    return decodeCheck(json, {});
}
Result<CARoot> CARoot::fromJson(const QJsonValue &json)
{
    return decodeRoot(json, {});
}

Result<ServiceEntry> ServiceEntry::fromJson(const QJsonValue &json)
{
    JsonFields f(json, {});
    ServiceEntry e;
    e.node = f.take(decodeNode(f.value("Node"_L1), u"Node"_s));
    e.service = f.take(decodeService(f.value("Service"_L1), u"Service"_s));
    e.checks = listOf<HealthCheck>(f, "Checks"_L1, decodeCheck);
    return f.finish(e);
}

QString ServiceEntry::aggregatedStatus() const
{
    bool warning = false;
    for (const HealthCheck &c : checks) {
        if (c.status == u"critical"_s || c.status == u"maintenance"_s)
            return u"critical"_s;
        if (c.status == u"warning"_s)
            warning = true;
    }
    return warning ? u"warning"_s : u"passing"_s;
}

const CARoot *CARoots::activeRoot() const
{
    for (const CARoot &r : roots) {
        if (r.id == activeRootID)
            return &r;
    }
    for (const CARoot &r : roots) {
        if (r.active)
            return &r;
    }
    return nullptr;
}

Result<CARoots> CARoots::fromJson(const QJsonValue &json)
{
    JsonFields f(json, {});
    CARoots r;
    r.activeRootID = f.string("ActiveRootID"_L1);
    r.trustDomain = f.string("TrustDomain"_L1);
    r.roots = listOf<CARoot>(f, "Roots"_L1, decodeRoot);
    return f.finish(r);
}

Result<LeafCert> LeafCert::fromJson(const QJsonValue &json)
{
    JsonFields f(json, {});
    LeafCert l;
    l.serialNumber = f.string("SerialNumber"_L1);
    l.certPem = f.string("CertPEM"_L1);
    l.privateKeyPem = f.string("PrivateKeyPEM"_L1);
    l.service = f.string("Service"_L1);
    l.serviceURI = f.string("ServiceURI"_L1);
    l.validAfter = f.time("ValidAfter"_L1);
    l.validBefore = f.time("ValidBefore"_L1);
    l.createIndex = f.unsignedInteger("CreateIndex"_L1);
    l.modifyIndex = f.unsignedInteger("ModifyIndex"_L1);
    return f.finish(l);
}

Result<Authorize> Authorize::fromJson(const QJsonValue &json)
{
    JsonFields f(json, {});
    Authorize a;
    a.authorized = f.boolean("Authorized"_L1);
    a.reason = f.string("Reason"_L1);
    return f.finish(a);
}

} // namespace mesh::consul
