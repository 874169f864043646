#pragma once

#include <QList>
#include <QStringView>

namespace mesh::nomad::jobspec {

// The jobspec's blocks and arguments and the api struct fields they fill:
// the `hcl:"…"` tags of hashicorp/nomad api/jobs.go, api/tasks.go,
// api/services.go, api/consul.go, api/resources.go, api/constraint.go and
// api/scaling.go, which jobspec2 decodes with gohcl (hashicorp/nomad:
// jobspec2/hcl_conversions.go), with the JSON names of
// tests/data/api-schemas/nomad.json. One table drives decoding, the
// "expected one of" lists of errors and the tests that every row is read.

enum class Kind {
    // arguments (`name = value`)
    String,
    Int,  // Go int / int64
    Uint, // Go uint64
    Int8,
    Uint8,
    Uint16,
    Bool,
    Duration, // time.Duration: "10s" or a number of nanoseconds
    StringList,
    Uint16List,
    // blocks
    Block,         // one block (a pointer field): a second is an error
    BlockList,     // repeated blocks ([]*T); labelled when the struct has a label
    LabelledMap,   // `x "label" {}` blocks keyed by label (map[string]*T)
    StringMap,     // `meta { k = "v" }` (map[string]string)
    StringListMap, // `header { k = ["v"] }` (map[string][]string)
    AnyMap,        // `config { … }` (map[string]interface{}): nested blocks become lists of objects
    // jobspec2's own cases
    StringMapOrAttribute, // env/meta of job, group and task: a block or `meta = { … }`
    TaskScaling,          // task `scaling "cpu"|"mem" {}` → ScalingPolicies
};

struct StructSpec;

struct Field
{
    QStringView hcl;
    QStringView json; // empty: jobspec2 reads it but the API has no field (kept aside)
    Kind kind;
    const StructSpec *spec = nullptr; // Block, BlockList, LabelledMap
    bool required = false;            // an `hcl:"x"` tag without ",optional"
};

struct StructSpec
{
    QStringView block;     // the block type, for messages ("group", "service")
    QStringView apiStruct; // the api struct it fills (tests/data/api-schemas/nomad.json)
    QStringView labelJson; // the field the block's one label fills ("Name"); empty: no label
    QList<Field> fields;

    const Field *field(QStringView hcl) const
    {
        for (const Field &f : fields) {
            if (f.hcl == hcl)
                return &f;
        }
        return nullptr;
    }
};

// The root of a job block (api.Job plus jobspec2's job-level `task` and
// `vault`), and the structs tests and callers need by name.
const StructSpec &jobSpec();
const StructSpec &constraintSpec();
const StructSpec &affinitySpec();

// Every struct of the table, for tests that walk it.
QList<const StructSpec *> allSpecs();

inline bool isArgument(Kind kind)
{
    return kind <= Kind::Uint16List;
}

} // namespace mesh::nomad::jobspec
