#include "vagrantoutput.h"

using namespace Qt::StringLiterals;

namespace mesh::hashibox {

namespace {
constexpr QStringView kComma = u"%!(VAGRANT_COMMA)";
} // namespace

QList<VagrantEvent> VagrantOutput::feed(QByteArrayView bytes)
{
    QList<VagrantEvent> out;
    m_partial.append(bytes);
    qsizetype start = 0;
    for (qsizetype nl = m_partial.indexOf('\n'); nl >= 0; nl = m_partial.indexOf('\n', start)) {
        takeLine(QByteArrayView(m_partial).sliced(start, nl - start), out);
        start = nl + 1;
    }
    m_partial.remove(0, start);
    return out;
}

QList<VagrantEvent> VagrantOutput::finish()
{
    QList<VagrantEvent> out;
    if (!m_partial.isEmpty())
        takeLine(m_partial, out);
    m_partial.clear();
    return out;
}

void VagrantOutput::takeLine(QByteArrayView line, QList<VagrantEvent> &out)
{
    if (line.endsWith('\r'))
        line.chop(1);
    if (line.trimmed().isEmpty())
        return;
    const QString text = QString::fromUtf8(line);
    if (auto event = parseLine(text))
        out.append(std::move(*event));
    else
        m_stray.append(text);
}

std::optional<VagrantEvent> VagrantOutput::parseLine(QStringView line)
{
    // Raw commas only separate fields: vagrant escapes the ones in data.
    const QList<QStringView> fields = line.split(u',');
    if (fields.size() < 3)
        return std::nullopt;
    bool ok = false;
    const qint64 seconds = fields.at(0).toLongLong(&ok);
    if (!ok || seconds < 0 || fields.at(2).isEmpty())
        return std::nullopt;
    VagrantEvent event;
    event.time = QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC);
    event.target = unescape(fields.at(1));
    event.type = fields.at(2).toString();
    for (qsizetype i = 3; i < fields.size(); ++i)
        event.data.append(unescape(fields.at(i)));
    return event;
}

QString VagrantOutput::unescape(QStringView field)
{
    QString out;
    out.reserve(field.size());
    for (qsizetype i = 0; i < field.size(); ++i) {
        const QChar c = field.at(i);
        if (c == u'\\' && i + 1 < field.size()) {
            const QChar next = field.at(i + 1);
            if (next == u'n' || next == u'r') {
                out.append(next == u'n' ? u'\n' : u'\r');
                ++i;
                continue;
            }
        }
        if (c == u'%' && field.sliced(i).startsWith(kComma)) {
            out.append(u',');
            i += kComma.size() - 1;
            continue;
        }
        out.append(c);
    }
    return out;
}

QString VagrantOutput::describe(const VagrantEvent &event)
{
    const QString prefix = event.target.isEmpty() ? QString() : event.target + u": "_s;
    if (event.type == u"ui") {
        // data: the UI method (info, output, detail, warn, error, success),
        // then the message (hashicorp/vagrant: lib/vagrant/ui.rb).
        return event.field(1).trimmed();
    }
    if (event.type == u"action") {
        // hashicorp/vagrant: lib/vagrant/machine.rb Machine#action brackets
        // every action with "start" and "end".
        const QString name = event.field(0);
        if (event.field(1) == u"start")
            return prefix + name + u"…"_s;
        if (event.field(1) == u"end")
            return prefix + name + u" done"_s;
        return {};
    }
    if (event.type == u"state")
        return prefix + event.field(0);
    if (event.type == u"error-exit") {
        // data: the Ruby error class, then its message (bin/vagrant).
        const QString message = event.field(1).trimmed();
        return event.field(0).isEmpty() ? message : event.field(0) + u": "_s + message;
    }
    return {};
}

} // namespace mesh::hashibox
