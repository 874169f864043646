#include "hclkeyorder_p.h"

#include "hcl/parser.h"

using namespace Qt::StringLiterals;

namespace mesh::importer {

namespace {

// The keys of a map written as a block (`env { A = "1" }`) or as an
// attribute (`env = { A = "1" }`), in the order they were written; empty
// when a key is computed.
QStringList writtenKeys(const hcl::Body &body, QStringView name)
{
    QStringList keys;
    for (const hcl::Block &block : body.blocks) {
        if (block.type == name) {
            for (const hcl::Attribute &a : block.body.attributes)
                keys.append(a.name);
            return keys;
        }
    }
    const hcl::Attribute *attribute = body.attribute(name);
    const auto *object = attribute ? attribute->expr->as<hcl::ObjectCons>() : nullptr;
    if (!object)
        return keys;
    for (const hcl::ObjectConsItem &item : object->items) {
        const auto *key = item.key->as<hcl::ObjectConsKey>();
        const auto *bare = key ? key->wrapped->as<hcl::ScopeTraversal>() : nullptr;
        const auto *quoted = key ? key->wrapped->as<hcl::Template>() : nullptr;
        if (bare && bare->steps.isEmpty() && !key->forceNonLiteral) {
            keys.append(bare->root);
        } else if (quoted && quoted->parts.size() == 1 && quoted->parts.constFirst()->as<hcl::LiteralValue>()) {
            keys.append(quoted->parts.constFirst()->as<hcl::LiteralValue>()->value.toString());
        } else {
            return {};
        }
    }
    return keys;
}

} // namespace

// Only groups (a job-level `task` block, which jobspec2 wraps in a group of
// its own, is rare enough to keep the sorted order), their `service` blocks
// and their `task` blocks count: they are the job's lists in file order.
QHash<QString, QStringList> hclKeyOrder(const QByteArray &source, const QString &fileName)
{
    QHash<QString, QStringList> order;
    auto file = hcl::Parser::parseFile(source, fileName);
    if (!file)
        return order;
    for (const hcl::Block &job : file->body.blocks) {
        if (job.type != u"job")
            continue;
        qsizetype group = 0;
        for (const hcl::Block &g : job.body.blocks) {
            if (g.type != u"group")
                continue;
            const QString groupPointer = u"/TaskGroups/"_s + QString::number(group++);
            qsizetype service = 0;
            qsizetype task = 0;
            for (const hcl::Block &b : g.body.blocks) {
                if (b.type == u"service") {
                    const QString pointer = groupPointer + u"/Services/"_s + QString::number(service++) + u"/Meta"_s;
                    if (const QStringList keys = writtenKeys(b.body, u"meta"); !keys.isEmpty())
                        order.insert(pointer, keys);
                } else if (b.type == u"task") {
                    const QString pointer = groupPointer + u"/Tasks/"_s + QString::number(task++) + u"/Env"_s;
                    if (const QStringList keys = writtenKeys(b.body, u"env"); !keys.isEmpty())
                        order.insert(pointer, keys);
                }
            }
        }
    }
    return order;
}

} // namespace mesh::importer
