#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace mesh::generate {

// Builds HCL2 text laid out as `nomad fmt` / `terraform fmt` (hclwrite.Format)
// would leave it: two-space indent, and the `=` of consecutive one-line
// attributes aligned. Blank lines are the caller's choice (blankLine()), as
// the formatter keeps them.
//
//   HclWriter w;
//   auto &job = w.root().block(u"job", {u"counter"});
//   job.attribute(u"datacenters", HclWriter::list({HclWriter::string(u"dc1")}));
//   QString text = w.text();
class HclWriter final
{
public:
    class Body
    {
    public:
        // `name = <expression>`; the expression is HCL source (see string()).
        Body &attribute(QStringView name, QString expression);
        // `type "label" … { }`, returns the new block's body.
        Body &block(QStringView type, const QStringList &labels = {});
        Body &blankLine();
        bool isEmpty() const { return m_items.empty(); }

    private:
        friend class HclWriter;
        struct Item
        {
            enum class Kind { Attribute, Block, Blank } kind;
            QString name;         // attribute name or block type
            QString expression;   // attribute value
            QStringList labels;   // block labels
            std::unique_ptr<Body> body;
        };
        std::vector<Item> m_items;
    };

    HclWriter();
    Body &root() { return *m_root; }
    QString text() const;

    // Expressions.
    static QString string(QStringView text);       // a quoted template; ${…} kept
    static QString number(qint64 value);
    static QString boolean(bool value);
    static QString list(const QStringList &expressions);
    static QString stringList(const QStringList &texts);
    // `{ key = expr, … }` on one line when short, else one per line.
    static QString object(const QList<std::pair<QString, QString>> &entries);
    // An attribute name, quoted if it is not a valid HCL identifier.
    static QString objectKey(QStringView key);
    static bool isIdentifier(QStringView name);

private:
    static void render(const Body &body, int depth, QString &out);
    std::unique_ptr<Body> m_root;
};

} // namespace mesh::generate
