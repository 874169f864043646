#pragma once

#include "lab/api/consulstate.h"

namespace mesh::lab {

// The lab's catalog is its Consul state (lab/api/consulstate.h); the old name
// stays for the code that registers allocations and asks for instances.
using LabCatalog = ConsulState;

} // namespace mesh::lab
