#pragma once

#include "artifactset.h"
#include "model/topology.h"
#include "model/topologyindex.h"

#include <QString>

namespace mesh::generate {

struct NomadJob;

// The Nomad jobs of a design, in the two forms Nomad takes:
// - hcl(): a jobspec as a person writes it (the seed's counter.nomad and
//   dashboard.nomad), laid out as `nomad fmt` leaves it;
// - json(): the body of `POST /v1/jobs`, `{"Job": {...}}` with API field
//   names, Env/Meta values as strings, durations in integer nanoseconds
//   (hashicorp/nomad: api/jobs.go, api/tasks.go, api/services.go).
// Both render one NomadJob, so they mean the same job. Neither fails nor
// asserts on an invalid design: the GUI regenerates while the user types and
// the Validator reports the problems; an unknown job gives an empty job.
class NomadJobGenerator final
{
public:
    static QString hcl(const model::TopologyIndex &design, QStringView job);
    static QString json(const model::TopologyIndex &design, QStringView job);

    // Adds `nomad/<job>.nomad.hcl` (Hcl) and `nomad/<job>.json` (Json) for
    // every job, in Topology::jobNames() order. Stems are unique ignoring
    // case: the output may land on a case-insensitive file system.
    static void addArtifacts(const model::TopologyIndex &design, ArtifactSet &artifacts);

    // The file name stem for a job: the name itself when it is a safe file
    // name (letters, digits, `.`, `_`, `-`), else with every other character
    // as `_` (and `job` when empty), so a job name can never leave `nomad/`.
    static QString fileStem(QStringView job);

    // A Go duration string for a jobspec ("10s", "1500ms").
    static QString goDuration(qint64 milliseconds);

    static QString hcl(const NomadJob &job);
    static QString json(const NomadJob &job);
};

} // namespace mesh::generate
