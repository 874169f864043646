#pragma once

#include "problem.h"
#include "topology.h"

namespace mesh::model {

// Checks a design against what Consul and Nomad accept and what makes the
// mesh work, and explains every problem. Pure and fast (a 1,000-service
// design takes milliseconds), so the editor can run it on every change.
//
// Errors are what Consul or Nomad would refuse or what cannot work (a name
// that is no DNS label, two listeners on one port, an arrow to nowhere).
// Warnings are legal but very likely not meant (a denied arrow the
// downstream's env still points at).
class Validator final
{
public:
    static Problems validate(const Topology &topology);
    static bool hasErrors(const Problems &problems);

    // RFC 1123 label, lowercase: what Consul DNS and Nomad's Connect
    // validation accept as a service name (at most 63 characters).
    static bool isDnsLabel(QStringView name);
};

} // namespace mesh::model
