#pragma once

#include "model/topology.h"
#include "model/topologyindex.h"

#include <QString>
#include <QStringList>

namespace mesh::generate {

class ArtifactSet;

// `scripts/<stem>.sh` per service (executable, stems as
// ConsulGenerator::fileStems()): the seed post's manual path, done so it
// always cleans up. Each script
//   1. registers the service with the agent at
//      ${CONSUL_HTTP_ADDR:-http://127.0.0.1:8500} (curl --fail, the body of
//      consul/<stem>.json embedded in a quoted heredoc),
//   2. starts the app with its environment, Nomad's runtime variables
//      resolved to what they mean outside Nomad (resolveNomadVariables()):
//      `command -- <command> <args>` or `docker run … -- <image> <args>`,
//      so neither command nor image is ever read as an option or (the
//      command) a variable assignment,
//   3. runs `consul connect proxy -sidecar-for <id>` (services with a sidecar),
// and on exit, Ctrl-C, SIGTERM, or when the app or the proxy stops (also
// with an error), stops both and deregisters the service.
// Deterministic; never crashes on an invalid design.
class ScriptGenerator final
{
public:
    static void addArtifacts(const model::TopologyIndex &design, ArtifactSet &out);
    static QString script(const model::TopologyIndex &design, const model::Service &service);

    // `value` with the ${NOMAD_…} references a manual run can know replaced:
    //   NOMAD_UPSTREAM_ADDR_<dest>  -> <bind address or 127.0.0.1>:<local bind port>
    //   NOMAD_UPSTREAM_IP_<dest>, NOMAD_UPSTREAM_PORT_<dest>
    //   NOMAD_PORT_<label>, NOMAD_ALLOC_PORT_<label>, NOMAD_HOST_PORT_<label>
    //       -> the label's `to`, else its static port (the app listens on
    //          the node itself, so the port it is told is the one it has)
    //   NOMAD_DC, NOMAD_JOB_ID, NOMAD_JOB_NAME, NOMAD_GROUP_NAME,
    //   NOMAD_TASK_NAME, NOMAD_ALLOC_INDEX (0)
    // <dest> is the destination's name as written or as Nomad cleans it
    // (count-api or count_api), <label> likewise (hashicorp/nomad:
    // client/taskenv/env.go). Anything
    // else is kept as written and appended to *unresolved.
    static QString resolveNomadVariables(const model::TopologyIndex &design, const model::Service &service,
                                         QStringView value, QStringList *unresolved = nullptr);

    // `text` as one bash word: bare when it holds only characters bash
    // never treats specially, else in single quotes, or as $'…' with escapes
    // when it holds control characters (TerminalText::isControl),
    // so none reaches the script raw. Bash cannot hold NUL: U+FFFD marks it.
    static QString shellQuote(QStringView text);
    // `text` for a `#` comment line (bash, and Ruby in the Vagrantfile): a
    // newline in a name must not end the comment, so line breaks become
    // spaces, and no other control character reaches the file (U+FFFD marks
    // where one was).
    static QString commentText(QStringView text);
};

} // namespace mesh::generate
