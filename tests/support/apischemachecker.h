#pragma once

// The request/response schema checker the body tests use is the lab's own
// decoder of Consul and Nomad bodies (lab/api/gostructschema.h): one
// implementation of Go's decoding rules, used by the lab's API in production
// and by the tests to check what Meshpad writes and serves.
#include "lab/api/gostructschema.h"

namespace meshtest {

using ApiSchemaChecker = mesh::lab::GoStructSchema;

} // namespace meshtest
