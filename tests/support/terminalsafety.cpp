#include "terminalsafety.h"

using namespace Qt::StringLiterals;

namespace meshtest {

namespace {

bool actsOnTerminal(char16_t c)
{
    return (c < 0x20 && c != u'\n') || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e)
           || (c >= 0x2066 && c <= 0x2069) || c == 0xfffd;
}

} // namespace

QString hostileText()
{
    return u"\x1b[2J\x1b]52;c;aGk=\x07"_s + QChar(0x9b) + u"31m"_s + QChar(0x202e);
}

QString hostileEscaped()
{
    return uR"(\x1b[2J\x1b]52;c;aGk=\x07\x9b31m\u202e)"_s;
}

QString rawControl(const QByteArray &bytes)
{
    if (const qsizetype at = bytes.indexOf('\x1b'); at >= 0)
        return u"a raw ESC at byte %1"_s.arg(at);
    const QString text = QString::fromUtf8(bytes);
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (actsOnTerminal(text.at(i).unicode()))
            return u"a raw U+%1 at %2"_s.arg(int(text.at(i).unicode()), 4, 16, QLatin1Char('0')).arg(i);
    }
    return {};
}

QString visible(const QString &text)
{
    QString out;
    for (const QChar c : text)
        out += actsOnTerminal(c.unicode()) ? u"<U+%1>"_s.arg(int(c.unicode()), 4, 16, QLatin1Char('0')) : QString(c);
    return out;
}

} // namespace meshtest
