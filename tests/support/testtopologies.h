#pragma once

// Designs built in test code, shared by the generator tests. Header-only so
// the support library itself does not depend on `mesh`; include it only from
// tests that link `mesh`.

#include "model/topology.h"

namespace meshtest {

inline mesh::model::Service makeService(const QString &id, const QString &name, const QString &port)
{
    mesh::model::Service s;
    s.id = {id};
    s.name = name;
    s.job = name;
    s.group = name;
    s.task = name;
    s.port = port;
    return s;
}

inline mesh::model::Upstream makeUpstream(const QString &from, const QString &to, int localBindPort,
                                          mesh::model::IntentionAction action = mesh::model::IntentionAction::Allow)
{
    mesh::model::Upstream u;
    u.id = {from + QStringLiteral("->") + to};
    u.downstream = {from};
    u.destination = {to};
    u.localBindPort = localBindPort;
    u.action = action;
    return u;
}

// The seed's design with the Nomad names: counter (group api,
// count 3, service count-api on "9001") and dashboard (port label http to
// 9002, service count-dashboard on 9002, upstream count-api on 8080).
inline mesh::model::Topology countdash()
{
    using namespace mesh::model;
    Topology t;
    t.name = QStringLiteral("countdash");

    Service counter = makeService(QStringLiteral("count-api"), QStringLiteral("count-api"), QStringLiteral("9001"));
    counter.templateKind = ServiceTemplate::Counter;
    counter.job = QStringLiteral("counter");
    counter.group = QStringLiteral("api");
    counter.task = QStringLiteral("counter");
    counter.count = 3;
    counter.command = QStringLiteral("/vagrant/apps/bin/counter");
    counter.env = {{QStringLiteral("PORT"), QStringLiteral("9001")}};

    Service dashboard
        = makeService(QStringLiteral("count-dashboard"), QStringLiteral("count-dashboard"), QStringLiteral("9002"));
    dashboard.templateKind = ServiceTemplate::Dashboard;
    dashboard.job = QStringLiteral("dashboard");
    dashboard.group = QStringLiteral("dashboard");
    dashboard.task = QStringLiteral("dashboard");
    dashboard.command = QStringLiteral("/vagrant/apps/bin/dashboard");
    dashboard.ports = {{QStringLiteral("http"), 9002, 0}};
    dashboard.env
        = {{QStringLiteral("PORT"), QStringLiteral("${NOMAD_PORT_http}")},
           {QStringLiteral("COUNTING_SERVICE_URL"), QStringLiteral("http://${NOMAD_UPSTREAM_ADDR_count_api}")}};

    t.services = {counter, dashboard};
    t.upstreams = {makeUpstream(QStringLiteral("count-dashboard"), QStringLiteral("count-api"), 8080)};
    return t;
}

} // namespace meshtest
