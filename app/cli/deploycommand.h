#pragma once

#include "core/result.h"

#include <QStringList>
#include <QTextStream>

namespace mesh::deploy {
struct DeployTarget;
}

namespace meshpad::cli {

// `meshpad plan FILE [-target T] [-json]`, `meshpad deploy FILE [-target T]
// [-auto-approve] [-detach] [-deadline D] [-json]` and `meshpad teardown FILE
// [-target T] [-auto-approve] [-json]`: a design on a real cluster
// (mesh::deploy), through the Consul and Nomad HTTP APIs.
//
// The target: `environment` (default: CONSUL_HTTP_ADDR, NOMAD_ADDR, tokens
// and TLS as the consul and nomad CLIs read them), `lab` (the running
// `meshpad lab up`, found as `lab status` finds it), `hashibox`, or a
// profile saved by the editor (~/.config/meshpad/targets.json). Tokens come
// from CONSUL_HTTP_TOKEN / NOMAD_TOKEN, never from a file of ours.
//
// plan prints what would change and exits like `nomad job plan`: 0 no
// changes, 1 changes, 2 error (conflicts included). deploy prints the plan,
// asks for "yes" unless -auto-approve, applies it, then prints progress until
// every job's deployment is successful, one fails or the deadline passes
// (Ctrl-C stops watching and says the deployment goes on), and at the end
// the entry points' URLs: 0 success (or detached), 1 a job failed, 2
// error. teardown plans and applies the removal of everything the design
// owns, waiting until Consul no longer lists its services. -json: the plan
// as one object, then one object per event, then {"event":"result",…}.
class DeployCommand final
{
public:
    static int plan(const QStringList &arguments, QTextStream &out, QTextStream &err);
    static int deploy(const QStringList &arguments, QTextStream &out, QTextStream &err);
    static int teardown(const QStringList &arguments, QTextStream &out, QTextStream &err);

    // "lab", "environment", "hashibox" or a profile name; "" is environment.
    static mesh::Result<mesh::deploy::DeployTarget> resolveTarget(const QString &name);

private:
    enum class Mode { Plan, Deploy, Teardown };
    static int run(Mode mode, const QStringList &arguments, QTextStream &out, QTextStream &err);
};

} // namespace meshpad::cli
