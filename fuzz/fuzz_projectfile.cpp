// Loading a project file from arbitrary bytes (ProjectFile::fromJson, what
// load() runs on a file's content) and validating what loads: no crash, a
// refusal says why, and whatever loads saves to JSON that loads again and
// saves to the same text.

#include "fuzzcheck.h"

#include "model/projectfile.h"
#include "model/validator.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>

using fuzz::require;
using mesh::model::ProjectFile;
using mesh::model::Validator;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // Not copied: a read past the input is the sanitizer's to see.
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto topology = ProjectFile::fromJson(bytes);
    if (!topology) {
        require(!topology.error().message.isEmpty(), "a refusal says why");
        return 0;
    }
    Validator::validate(*topology);
    const QString json = ProjectFile::toJson(*topology);
    const auto again = ProjectFile::fromJson(json.toUtf8());
    require(again.has_value(), "what was loaded saves to a file that loads");
    require(ProjectFile::toJson(*again) == json, "and saves again to the same text");
    return 0;
}
