#pragma once

#include "generate/artifactset.h"

#include <QList>
#include <QRegularExpression>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace meshpad::gui {

// Colours the artifacts the generators write: JSON (keys, strings, numbers,
// literals), HCL (blocks, attributes, strings with ${…}, #, // and /* */
// comments) and shell (comments, strings, $variables, keywords). Rules are
// line regexes plus the one multi-line state HCL needs (block comments);
// enough for generated text, not a parser. Colours are chosen for the
// background the view reports, so light and dark themes both read well.
class CodeHighlighter final : public QSyntaxHighlighter
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CodeHighlighter)

public:
    explicit CodeHighlighter(QTextDocument *document);
    ~CodeHighlighter() override;

    // Switches the language and re-highlights; kinds without rules (Ruby,
    // Markdown) only get comments and strings.
    void setKind(mesh::generate::ArtifactKind kind);
    mesh::generate::ArtifactKind kind() const { return m_kind; }
    // Picks colours for a dark or a light background.
    void setDarkBackground(bool dark);

protected:
    void highlightBlock(const QString &text) override;

private:
    struct Rule
    {
        QRegularExpression pattern;
        QTextCharFormat format;
        int group = 0; // capture group to colour (0 = whole match)
    };
    void rebuildRules();
    void highlightBlockComments(const QString &text);

    mesh::generate::ArtifactKind m_kind = mesh::generate::ArtifactKind::Json;
    bool m_dark = false;
    QList<Rule> m_rules;
    QTextCharFormat m_comment;
    QTextCharFormat m_string;
};

} // namespace meshpad::gui
