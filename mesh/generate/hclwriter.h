#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <utility>
#include <vector>

namespace mesh::generate {

// Builds HCL2 text laid out as `nomad fmt` / `terraform fmt` (hclwrite.Format)
// would leave it: two-space indent, and the `=` of consecutive one-line
// attributes aligned (hclwrite's formatCells: a blank line, a block, or an
// attribute whose value opens a multi-line bracket ends the run; widths are
// counted in grapheme clusters). Blank lines are the caller's choice
// (blankLine()), as the formatter keeps them.
//
//   HclWriter w;
//   auto &job = w.root().block(u"job", {u"counter"});
//   job.attribute(u"datacenters", HclWriter::stringList({u"dc1"_s}));
//   QString text = w.text();
class HclWriter final
{
public:
    class Body
    {
    public:
        // `name = <expression>`; `name` must be an identifier (isIdentifier())
        // and the expression HCL source (see string(), object()).
        Body &attribute(QStringView name, QString expression);
        // `type "label" … { }`, returns the new block's body. Labels are
        // written as literal strings (literal()).
        Body &block(QStringView type, const QStringList &labels = {});
        Body &blankLine();
        bool isEmpty() const { return m_items.empty(); }

    private:
        friend class HclWriter;
        struct Item
        {
            enum class Kind { Attribute, Block, Blank } kind;
            QString name;       // attribute name or block type
            QString expression; // attribute value
            QStringList labels; // block labels
            std::unique_ptr<Body> body;
        };
        std::vector<Item> m_items;
    };

    HclWriter();
    Body &root() { return *m_root; }
    QString text() const;

    // Expressions.
    // A quoted template meaning exactly `text` once Nomad's jobspec2 has
    // read it. `${name}` / `${a.b.c}` (a plain traversal, e.g.
    // `${NOMAD_PORT_http}`) is kept as written: jobspec2 passes undefined
    // variables through literally (hashicorp/nomad: jobspec2/types.config.go,
    // UndefinedVariable), and people write it so.
    // Every other `${` and every `%{` is escaped (`$${`, `%%{`), so no
    // input can make the template invalid or evaluate something; that
    // includes traversals jobspec2 does evaluate: roots `true`, `false`,
    // `null` (HCL keywords) and `var`, `local` (jobspec2's variables).
    static QString string(QStringView text);
    // A quoted string with every template sequence escaped (`$${`, `%%{`):
    // for block labels, where HCL2 forbids templates.
    static QString literal(QStringView text);
    // A quoted string that HCL 1 and HCL 2 both read as exactly `text`, with
    // no interpolation or template in either: `${` is written `\u0024{` and
    // `%{` `\u0025{`. For files HCL 1 reads (Consul's agent config and
    // service definitions), where HCL2's `$${` escape does not exist: HCL 1
    // copies a `${…}` region verbatim, counting braces and ignoring quotes.
    static QString plainString(QStringView text);
    static QString plainStringList(const QStringList &texts);
    static QString number(qint64 value);
    static QString boolean(bool value);
    static QString list(const QStringList &expressions);
    static QString stringList(const QStringList &texts);
    // `{` newline, `key = expr` one per line with aligned `=`, `}`. Keys are
    // written as objectKey().
    static QString object(const QList<std::pair<QString, QString>> &entries);
    // An object key: bare if it is an identifier, else quoted as
    // plainString(), so HCL 1 and HCL 2 read it as `key`.
    static QString objectKey(QStringView key);
    // A name HCL reads as an attribute name everywhere: an identifier
    // (letter or '_', then letters, digits, '_' and '-'; ASCII only, which
    // is stricter than HCL's Unicode identifiers) that is not a keyword
    // (`true`, `for`, … would be read as values or `for` expressions in an
    // object).
    static bool isIdentifier(QStringView name);
    // Width of `text` as hclwrite counts it (grapheme clusters).
    static qsizetype columns(QStringView text);

private:
    static void render(const Body &body, int depth, QString &out);
    enum class Quoting { KeepTraversals, EscapeTemplates, Plain };
    static QString quote(QStringView text, Quoting quoting);
    static QString quotedList(const QStringList &texts, Quoting quoting);
    std::unique_ptr<Body> m_root;
};

} // namespace mesh::generate
