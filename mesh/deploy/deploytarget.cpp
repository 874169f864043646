#include "deploytarget.h"

#include "generate/hashiboxgenerator.h"

using namespace Qt::StringLiterals;

namespace mesh::deploy {

namespace {

QString text(const QJsonObject &o, QStringView key)
{
    return o.value(key).toString();
}

} // namespace

QString toString(DeployTarget::Kind kind)
{
    switch (kind) {
    case DeployTarget::Kind::Environment: return u"environment"_s;
    case DeployTarget::Kind::Lab: return u"lab"_s;
    case DeployTarget::Kind::Hashibox: return u"hashibox"_s;
    case DeployTarget::Kind::Profile: return u"profile"_s;
    }
    return {};
}

DeployTarget DeployTarget::environment(const QProcessEnvironment &env)
{
    DeployTarget out;
    out.kind = Kind::Environment;
    out.name = u"environment"_s;
    out.consul = consul::ConsulConfig::fromEnvironment(env);
    out.nomad = nomad::NomadConfig::fromEnvironment(env);
    return out;
}

DeployTarget DeployTarget::lab(const QString &consulAddress, const QString &nomadAddress,
                               const QProcessEnvironment &env)
{
    DeployTarget out = environment(env);
    out.kind = Kind::Lab;
    out.name = u"lab"_s;
    out.consul.address = consulAddress;
    out.nomad.address = nomadAddress;
    return out;
}

DeployTarget DeployTarget::hashibox(const QProcessEnvironment &env)
{
    const QString node = generate::HashiboxGenerator::nodeAddresses().constFirst();
    DeployTarget out = lab(u"http://%1:8500"_s.arg(node), u"http://%1:4646"_s.arg(node), env);
    out.kind = Kind::Hashibox;
    out.name = u"hashibox"_s;
    return out;
}

Result<DeployTarget> DeployTarget::fromProfile(const QJsonObject &profile)
{
    DeployTarget out;
    out.kind = Kind::Profile;
    out.name = text(profile, u"name").trimmed();
    if (out.name.isEmpty())
        return fail(Error::Code::Invalid, u"a deploy target needs a name"_s);
    if (out.name == u"lab" || out.name == u"environment" || out.name == u"hashibox")
        return fail(Error::Code::Invalid, u"\"%1\" is a built-in target; name the profile differently"_s.arg(out.name));
    const QJsonObject c = profile.value(u"consul").toObject();
    const QJsonObject n = profile.value(u"nomad").toObject();
    out.consul.address = text(c, u"address");
    out.consul.caFile = text(c, u"caFile");
    out.consul.clientCert = text(c, u"clientCert");
    out.consul.clientKey = text(c, u"clientKey");
    out.consul.tlsServerName = text(c, u"tlsServerName");
    out.consul.sslVerify = !c.value(u"skipVerify").toBool();
    out.consul.ns = text(c, u"namespace");
    out.consul.partition = text(c, u"partition");
    out.consul.datacenter = text(c, u"datacenter");
    out.nomad.address = text(n, u"address");
    out.nomad.caFile = text(n, u"caFile");
    out.nomad.clientCert = text(n, u"clientCert");
    out.nomad.clientKey = text(n, u"clientKey");
    out.nomad.tlsServerName = text(n, u"tlsServerName");
    out.nomad.skipVerify = n.value(u"skipVerify").toBool();
    out.nomad.region = text(n, u"region");
    out.nomad.ns = text(n, u"namespace");
    if (out.consul.address.isEmpty() || out.nomad.address.isEmpty())
        return fail(Error::Code::Invalid,
                    u"deploy target \"%1\" needs both a Consul and a Nomad address"_s.arg(out.name));
    return out;
}

QJsonObject DeployTarget::toProfile() const
{
    QJsonObject c{{u"address"_s, consul.address}};
    QJsonObject n{{u"address"_s, nomad.address}};
    const auto put = [](QJsonObject &o, const QString &key, const QString &value) {
        if (!value.isEmpty())
            o.insert(key, value);
    };
    put(c, u"caFile"_s, consul.caFile);
    put(c, u"clientCert"_s, consul.clientCert);
    put(c, u"clientKey"_s, consul.clientKey);
    put(c, u"tlsServerName"_s, consul.tlsServerName);
    if (!consul.sslVerify)
        c.insert(u"skipVerify"_s, true);
    put(c, u"namespace"_s, consul.ns);
    put(c, u"partition"_s, consul.partition);
    put(c, u"datacenter"_s, consul.datacenter);
    put(n, u"caFile"_s, nomad.caFile);
    put(n, u"clientCert"_s, nomad.clientCert);
    put(n, u"clientKey"_s, nomad.clientKey);
    put(n, u"tlsServerName"_s, nomad.tlsServerName);
    if (nomad.skipVerify)
        n.insert(u"skipVerify"_s, true);
    put(n, u"region"_s, nomad.region);
    put(n, u"namespace"_s, nomad.ns);
    return {{u"name"_s, name}, {u"consul"_s, c}, {u"nomad"_s, n}};
}

QString DeployTarget::describe() const
{
    return u"%1 (Consul %2, Nomad %3)"_s.arg(name, consul.address, nomad.address);
}

} // namespace mesh::deploy
