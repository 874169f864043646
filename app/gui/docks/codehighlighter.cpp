#include "codehighlighter.h"

namespace meshpad::gui {

using mesh::generate::ArtifactKind;

namespace {

constexpr int kInBlockComment = 1;

QTextCharFormat charFormat(const QColor &colour, bool bold = false, bool italic = false)
{
    QTextCharFormat f;
    f.setForeground(colour);
    if (bold)
        f.setFontWeight(QFont::DemiBold);
    f.setFontItalic(italic);
    return f;
}

} // namespace

CodeHighlighter::CodeHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
{
    rebuildRules();
}

CodeHighlighter::~CodeHighlighter() = default;

void CodeHighlighter::setKind(ArtifactKind kind)
{
    if (m_kind == kind)
        return;
    m_kind = kind;
    rebuildRules();
    rehighlight();
}

void CodeHighlighter::setDarkBackground(bool dark)
{
    if (m_dark == dark)
        return;
    m_dark = dark;
    rebuildRules();
    rehighlight();
}

void CodeHighlighter::rebuildRules()
{
    // Two hand-picked sets (after Qt Creator's default and dark schemes):
    // the light one on white, the dark one on near-black, both AA contrast.
    const QColor keyword = m_dark ? QColor(0x56, 0x9c, 0xd6) : QColor(0x00, 0x33, 0x99);
    const QColor key = m_dark ? QColor(0x9c, 0xdc, 0xfe) : QColor(0x80, 0x00, 0x80);
    const QColor string = m_dark ? QColor(0xce, 0x91, 0x78) : QColor(0x00, 0x80, 0x00);
    const QColor number = m_dark ? QColor(0xb5, 0xce, 0xa8) : QColor(0x00, 0x00, 0x80);
    const QColor comment = m_dark ? QColor(0x8a, 0x99, 0x8a) : QColor(0x6a, 0x73, 0x7d);
    const QColor interpolation = m_dark ? QColor(0xd7, 0xba, 0x7d) : QColor(0xa0, 0x50, 0x00);

    m_comment = charFormat(comment, false, true);
    m_string = charFormat(string);
    m_rules.clear();
    const auto add = [this](const char *pattern, const QTextCharFormat &f, int group = 0) {
        m_rules.append({QRegularExpression(QString::fromUtf8(pattern)), f, group});
    };
    switch (m_kind) {
    case ArtifactKind::Json:
        add(R"(-?\b\d+(\.\d+)?([eE][+-]?\d+)?\b)", charFormat(number));
        add(R"(\b(true|false|null)\b)", charFormat(keyword, true));
        add(R"("(?:[^"\\]|\\.)*")", m_string);
        // A key is a string followed by a colon; it wins over the string rule.
        add(R"(("(?:[^"\\]|\\.)*")\s*:)", charFormat(key), 1);
        break;
    case ArtifactKind::Hcl:
        add(R"(-?\b\d+(\.\d+)?\b)", charFormat(number));
        add(R"(\b(true|false|null)\b)", charFormat(keyword, true));
        // A block: a bare word at the start of a line followed by labels or "{".
        add(R"(^\s*([A-Za-z_][A-Za-z0-9_-]*)(?=\s*("|\{)))", charFormat(keyword, true), 1);
        add(R"(^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=)", charFormat(key), 1);
        add(R"("(?:[^"\\]|\\.)*")", m_string);
        add(R"(\$\{[^}]*\})", charFormat(interpolation));
        add(R"((#|//).*$)", m_comment);
        break;
    case ArtifactKind::Shell:
        add(R"(\b(if|then|else|elif|fi|for|while|do|done|case|esac|in|function|return|exit|set|export|local|until)\b)",
            charFormat(keyword, true));
        add(R"("(?:[^"\\]|\\.)*"|'[^']*')", m_string);
        add(R"(\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\$[0-9@#?*$!-])", charFormat(interpolation));
        add(R"((^|\s)(#.*)$)", m_comment, 2);
        break;
    case ArtifactKind::Ruby:
        add(R"("(?:[^"\\]|\\.)*"|'[^']*')", m_string);
        add(R"((^|\s)(#.*)$)", m_comment, 2);
        break;
    case ArtifactKind::Markdown:
        add(R"(^#+ .*$)", charFormat(keyword, true));
        add(R"(`[^`]*`)", charFormat(interpolation));
        break;
    }
}

void CodeHighlighter::highlightBlock(const QString &text)
{
    // Later rules overwrite earlier ones: strings over numbers, comments last.
    for (const Rule &rule : std::as_const(m_rules)) {
        auto it = rule.pattern.globalMatch(text);
        while (it.hasNext()) {
            const QRegularExpressionMatch match = it.next();
            setFormat(int(match.capturedStart(rule.group)), int(match.capturedLength(rule.group)), rule.format);
        }
    }
    setCurrentBlockState(0);
    if (m_kind == ArtifactKind::Hcl)
        highlightBlockComments(text);
}

void CodeHighlighter::highlightBlockComments(const QString &text)
{
    qsizetype start = previousBlockState() == kInBlockComment ? 0 : text.indexOf(u"/*");
    while (start >= 0) {
        const qsizetype end = text.indexOf(u"*/", start);
        if (end < 0) {
            setCurrentBlockState(kInBlockComment);
            setFormat(int(start), int(text.size() - start), m_comment);
            return;
        }
        setFormat(int(start), int(end + 2 - start), m_comment);
        start = text.indexOf(u"/*", end + 2);
    }
}

} // namespace meshpad::gui
