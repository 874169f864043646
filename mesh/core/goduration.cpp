#include "goduration.h"

#include <cmath>

namespace mesh {

std::optional<std::chrono::nanoseconds> parseGoDuration(QStringView text)
{
    qsizetype i = 0;
    bool negative = false;
    if (i < text.size() && (text[i] == u'-' || text[i] == u'+'))
        negative = text[i++] == u'-';
    if (text.mid(i) == u"0")
        return std::chrono::nanoseconds(0);
    if (i >= text.size())
        return std::nullopt;
    long double total = 0;
    while (i < text.size()) {
        const qsizetype start = i;
        bool digits = false;
        while (i < text.size() && (text[i].isDigit() || text[i] == u'.')) {
            digits = digits || text[i].isDigit();
            ++i;
        }
        if (!digits)
            return std::nullopt;
        bool ok = false;
        const double number = text.mid(start, i - start).toDouble(&ok);
        if (!ok)
            return std::nullopt;
        const qsizetype unitStart = i;
        while (i < text.size() && !text[i].isDigit() && text[i] != u'.')
            ++i;
        const QStringView unit = text.mid(unitStart, i - unitStart);
        long double scale = 0;
        if (unit == u"ns")
            scale = 1;
        else if (unit == u"us" || unit == u"\u00b5s" || unit == u"\u03bcs")
            scale = 1e3L;
        else if (unit == u"ms")
            scale = 1e6L;
        else if (unit == u"s")
            scale = 1e9L;
        else if (unit == u"m")
            scale = 60e9L;
        else if (unit == u"h")
            scale = 3600e9L;
        else
            return std::nullopt; // a missing or unknown unit
        total += number * scale;
    }
    // Go refuses what does not fit an int64 of nanoseconds (~292 years).
    if (total > 9.2e18L)
        return std::nullopt;
    const auto ns = std::chrono::nanoseconds(static_cast<qint64>(std::llround(static_cast<double>(total))));
    return negative ? -ns : ns;
}

namespace {

// `value` / `unit` with the fraction Go prints: no trailing zeros.
QString fraction(qint64 value, qint64 unit)
{
    QString text = QString::number(value / unit);
    if (const qint64 rest = value % unit; rest != 0) {
        QString digits = QString::number(rest).rightJustified(QString::number(unit).size() - 1, u'0');
        while (digits.endsWith(u'0'))
            digits.chop(1);
        text += u'.' + digits;
    }
    return text;
}

} // namespace

QString formatGoDuration(std::chrono::nanoseconds duration)
{
    qint64 ns = duration.count();
    if (ns == 0)
        return QStringLiteral("0s");
    const QString sign = ns < 0 ? QStringLiteral("-") : QString();
    ns = ns < 0 ? -ns : ns;
    if (ns < 1'000)
        return sign + QString::number(ns) + u"ns";
    if (ns < 1'000'000)
        return sign + fraction(ns, 1'000) + u"\u00b5s";
    if (ns < 1'000'000'000)
        return sign + fraction(ns, 1'000'000) + u"ms";
    const qint64 hours = ns / 3'600'000'000'000;
    const qint64 minutes = ns / 60'000'000'000 % 60;
    QString text = sign;
    if (hours > 0)
        text += QString::number(hours) + u'h';
    if (hours > 0 || minutes > 0)
        text += QString::number(minutes) + u'm';
    return text + fraction(ns % 60'000'000'000, 1'000'000'000) + u's';
}

} // namespace mesh
