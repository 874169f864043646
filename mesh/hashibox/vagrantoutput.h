#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace mesh::hashibox {

// One line of `vagrant … --machine-readable`:
//   timestamp,target,type,data…
// (https://developer.hashicorp.com/vagrant/docs/cli/machine-readable). The
// target is the machine's name or empty; `data` has vagrant's escapes undone.
struct VagrantEvent
{
    QDateTime time; // UTC, whole seconds
    QString target;
    QString type; // ui, action, state, state-human-short, error-exit, metadata, …
    QStringList data;

    QString field(qsizetype i) const { return data.value(i); }
};

// Reads vagrant's machine-readable output as it arrives: feed() takes any
// chunk of bytes (a line cut anywhere, \r\n or \n), keeps the unfinished
// line for the next call, and returns the events of the lines it completed.
// Lines that are not machine-readable (a Ruby warning, a plugin printing to
// stdout) are kept as they are in strayLines(), for error messages.
//
// Vagrant escapes each data field (hashicorp/vagrant: lib/vagrant/ui.rb
// MachineReadable#machine): "," as "%!(VAGRANT_COMMA)", a newline as the two
// characters "\n", a carriage return as "\r". A backslash itself is not
// escaped, so a message holding a literal "\n" reads as a newline: the
// format cannot tell them apart.
class VagrantOutput final
{
public:
    QList<VagrantEvent> feed(QByteArrayView bytes);
    // The last line, when the output did not end with a newline.
    QList<VagrantEvent> finish();

    QStringList strayLines() const { return m_stray; }

    // nullopt when `line` is not timestamp,target,type[,data…].
    static std::optional<VagrantEvent> parseLine(QStringView line);
    static QString unescape(QStringView field);

    // What a person reads for `event`, or an empty string for bookkeeping
    // lines (metadata, provider-name, state-human-*, ui lines repeated by
    // error-exit are not filtered here):
    //   ui                 the message itself ("==> one: Creating domain…")
    //   action up start    "one: up…";  end: "one: up done"
    //   state running      "one: running"
    //   error-exit         "Vagrant::Errors::NoDefaultProvider: No usable default provider…"
    static QString describe(const VagrantEvent &event);

private:
    void takeLine(QByteArrayView line, QList<VagrantEvent> &out);

    QByteArray m_partial;
    QStringList m_stray;
};

} // namespace mesh::hashibox
