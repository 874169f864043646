#include "servicetemplates.h"

#include <QCoreApplication>

namespace meshpad::gui {

using namespace mesh::model;

QList<ServiceTemplateInfo> serviceTemplates()
{
    const auto tr = [](const char *text) { return QCoreApplication::translate("ServiceTemplates", text); };
    return {
        {ServiceTemplate::Counter, tr("Counter"), tr("The demo counting API (HTTP, port 9001)")},
        {ServiceTemplate::Dashboard, tr("Dashboard"),
         tr("The demo dashboard that calls a counter through an upstream")},
        {ServiceTemplate::Generic, tr("Generic service"), tr("Any program run by Nomad's exec driver")},
        {ServiceTemplate::Docker, tr("Docker service"), tr("A container image run by Nomad's docker driver")},
    };
}

Service serviceFromTemplate(ServiceTemplate kind)
{
    // Every template is a Connect service in bridge mode with a sidecar: the
    // shape Consul's countdash example has, which the generators and the lab
    // know best.
    Service s;
    s.templateKind = kind;
    s.driver = Driver::Exec;
    s.networkMode = NetworkMode::Bridge;
    s.connectSidecar = true;
    switch (kind) {
    case ServiceTemplate::Counter:
        s.name = QStringLiteral("count-api");
        s.job = QStringLiteral("counter");
        s.group = QStringLiteral("api");
        s.task = QStringLiteral("counter");
        s.command = QStringLiteral("/vagrant/apps/bin/counter");
        s.env = {{QStringLiteral("PORT"), QStringLiteral("9001")}};
        s.port = QStringLiteral("9001");
        break;
    case ServiceTemplate::Dashboard:
        s.name = QStringLiteral("count-dashboard");
        s.job = QStringLiteral("dashboard");
        s.group = QStringLiteral("dashboard");
        s.task = QStringLiteral("dashboard");
        s.command = QStringLiteral("/vagrant/apps/bin/dashboard");
        s.ports = {{QStringLiteral("http"), 9002, 0}};
        // The dashboard reaches its counter through the local listener of the
        // upstream Nomad names after the destination (count-api → count_api).
        s.env = {{QStringLiteral("PORT"), QStringLiteral("${NOMAD_PORT_http}")},
                 {QStringLiteral("COUNTING_SERVICE_URL"), QStringLiteral("http://${NOMAD_UPSTREAM_ADDR_count_api}")}};
        s.port = QStringLiteral("9002");
        break;
    case ServiceTemplate::Generic:
        s.name = QStringLiteral("service");
        s.job = QStringLiteral("service");
        s.group = QStringLiteral("service");
        s.task = QStringLiteral("service");
        s.command = QStringLiteral("/usr/local/bin/service");
        s.env = {{QStringLiteral("PORT"), QStringLiteral("8000")}};
        s.port = QStringLiteral("8000");
        break;
    case ServiceTemplate::Docker:
        s.name = QStringLiteral("web");
        s.job = QStringLiteral("web");
        s.group = QStringLiteral("web");
        s.task = QStringLiteral("web");
        s.driver = Driver::Docker;
        s.image = QStringLiteral("nginx:1.25-alpine");
        s.port = QStringLiteral("80");
        break;
    }
    return s;
}

} // namespace meshpad::gui
