#include "vagrant.h"

#include "generate/hashiboxgenerator.h"
#include "hashiboxlog.h"

#include <QDir>
#include <QFileInfo>
#include <QPointer>
#include <QProcess>
#include <QStandardPaths>

#include <QCoro/QCoroProcess>

#include <memory>

using namespace Qt::StringLiterals;

namespace mesh::hashibox {

namespace {

// How long vagrant gets to stop after SIGTERM when it ran out of time (it
// tidies up its lock files and half-made machines), before SIGKILL.
constexpr auto kTerminateGrace = std::chrono::seconds(15);
constexpr auto kStartTimeout = std::chrono::seconds(30);

QString secondsText(std::chrono::milliseconds timeout)
{
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(timeout).count();
    return s >= 120 && s % 60 == 0 ? QString::number(s / 60) + u" min"_s : QString::number(s) + u" s"_s;
}

bool isOneOf(const QString &errorClass, std::initializer_list<QStringView> names)
{
    for (QStringView name : names) {
        if (errorClass == name || errorClass.endsWith(u"::"_s + name))
            return true;
    }
    return false;
}

const QString kInstallLibvirt = u"Install the vagrant-libvirt provider and libvirt: "
                                u"sudo apt install vagrant-libvirt libvirt-daemon-system "
                                u"(or vagrant plugin install vagrant-libvirt), add yourself to the libvirt group "
                                u"(sudo usermod -aG libvirt $USER, then log in again), and check that "
                                u"virsh -c qemu:///system list answers."_s;

// Vagrant's words without the repetition of a parallel action: `vagrant up`
// brings the three machines up at once, and a failure common to all comes
// back as one BatchMultiError repeating the same paragraph per machine under
// "An error occurred while executing the action on the 'one' machine…"
// (hashicorp/vagrant: templates/locales/en.yml batch_multi_error). Keeps each
// distinct paragraph once, in order.
QString condense(const QString &said)
{
    QStringList kept;
    for (const QString &paragraph : said.split(u"\n\n"_s)) {
        const QString text = paragraph.trimmed();
        if (text.isEmpty() || text.startsWith(u"An error occurred while executing multiple actions in parallel"_s)
            || text.startsWith(u"An error occurred while executing the action on the"_s) || kept.contains(text))
            continue;
        kept.append(text);
    }
    return kept.isEmpty() ? said : kept.join(u"\n\n"_s);
}

} // namespace

Vagrant::Vagrant(QString directory, QObject *parent)
    : QObject(parent)
    , m_directory(std::move(directory))
    , m_program(u"vagrant"_s)
    , m_environment(QProcessEnvironment::systemEnvironment())
{
}

Vagrant::~Vagrant() = default;

Result<QString> Vagrant::hashiboxDirectory() const
{
    const QDir dir(m_directory.isEmpty() ? u"."_s : m_directory);
    if (!dir.exists())
        return fail(Error::Code::Io, u"no Hashibox in %1: it does not exist; write the Hashibox there with "
                                     u"meshpad generate DESIGN -o %1"_s.arg(QDir::toNativeSeparators(dir.path())));
    // Checked here, not left to vagrant: it would take a Vagrantfile from any
    // directory above (hashicorp/vagrant: lib/vagrant/environment.rb
    // find_vagrantfile walks up to the root).
    if (QFileInfo(dir.filePath(u"hashibox/Vagrantfile"_s)).isFile())
        return QDir::cleanPath(dir.absoluteFilePath(u"hashibox"_s));
    if (QFileInfo(dir.filePath(u"Vagrantfile"_s)).isFile())
        return QDir::cleanPath(dir.absolutePath());
    return fail(
        Error::Code::Io,
        u"no Hashibox in %1: %2 does not exist; write it with meshpad generate DESIGN -o %1"_s.arg(
            QDir::toNativeSeparators(dir.path()), QDir::toNativeSeparators(dir.filePath(u"hashibox/Vagrantfile"_s))));
}

Result<QString> Vagrant::findProgram() const
{
    QString found;
    if (m_program.contains(u'/')) {
        const QFileInfo info(m_program);
        if (info.isFile() && info.isExecutable())
            found = info.absoluteFilePath();
    } else {
        const QStringList path = m_environment.value(u"PATH"_s).split(u':', Qt::SkipEmptyParts);
        found = QStandardPaths::findExecutable(m_program, path);
    }
    if (found.isEmpty()) {
        return fail(Error::Code::NotFound,
                    u"vagrant is not installed (no %1 in PATH). Install it: sudo apt install vagrant "
                    u"(Debian, Ubuntu), or from https://developer.hashicorp.com/vagrant/install; the Hashibox "
                    u"also needs its libvirt provider: sudo apt install vagrant-libvirt libvirt-daemon-system"_s.arg(
                        m_program));
    }
    return found;
}

QCoro::Task<Result<Vagrant::Run>> Vagrant::run(QString command, QStringList arguments,
                                               std::chrono::milliseconds timeout)
{
    const auto directory = hashiboxDirectory();
    if (!directory)
        co_return std::unexpected(directory.error());
    const auto program = findProgram();
    if (!program)
        co_return std::unexpected(program.error());

    QPointer<Vagrant> self(this);
    Run result;
    VagrantOutput parser;
    // Owned by this frame, not by `this`: a Vagrant destroyed mid-run leaves
    // the run to finish (or time out) without touching it.
    auto process = std::make_unique<QProcess>();
    QProcess *p = process.get();
    const auto take = [&result, self](const QList<VagrantEvent> &events) {
        for (const VagrantEvent &event : events) {
            result.events.append(event);
            if (!self)
                continue;
            Q_EMIT self->eventReceived(event);
            // A `ui error` line says what the error-exit after it says; the
            // failure carries that, with what to do.
            if (event.type == u"error-exit" || (event.type == u"ui" && event.field(0) == u"error"))
                continue;
            const QString text = VagrantOutput::describe(event);
            if (!text.isEmpty())
                Q_EMIT self->progress(text);
        }
    };
    QObject::connect(p, &QProcess::readyReadStandardOutput, p,
                     [&take, &parser, p] { take(parser.feed(p->readAllStandardOutput())); });
    QObject::connect(p, &QProcess::readyReadStandardError, p,
                     [&result, p] { result.stderrText += QString::fromUtf8(p->readAllStandardError()); });

    const QStringList args = QStringList{command} + arguments + QStringList{u"--machine-readable"_s};
    qCDebug(lcHashibox) << "running" << *program << args << "in" << *directory;
    p->setProgram(*program);
    p->setArguments(args);
    p->setWorkingDirectory(*directory);
    p->setProcessEnvironment(m_environment);
    // Machine-readable vagrant cannot ask; nothing may wait on our stdin.
    p->setStandardInputFile(QProcess::nullDevice());
    if (!co_await qCoro(p).start(QIODevice::ReadOnly, kStartTimeout)) {
        co_return fail(Error::Code::NotFound,
                       u"vagrant %1 could not start %2: %3"_s.arg(command, *program, p->errorString()));
    }
    if (!co_await qCoro(p).waitForFinished(timeout)) {
        qCDebug(lcHashibox) << "vagrant" << command << "timed out; terminating";
        p->terminate();
        if (!co_await qCoro(p).waitForFinished(std::chrono::milliseconds(kTerminateGrace))) {
            p->kill();
            co_await qCoro(p).waitForFinished(std::chrono::seconds(5));
        }
        co_return fail(Error::Code::Timeout,
                       u"vagrant %1 did not finish within %2 and was stopped; meshpad hashibox status shows "
                       u"what it left"_s.arg(command, secondsText(timeout)));
    }
    take(parser.feed(p->readAllStandardOutput()));
    take(parser.finish());
    result.stderrText += QString::fromUtf8(p->readAllStandardError());
    result.stray = parser.strayLines();
    if (p->exitStatus() == QProcess::CrashExit) {
        co_return fail(Error::Code::Internal,
                       u"vagrant %1 crashed%2"_s.arg(command, result.stderrText.trimmed().isEmpty()
                                                                  ? QString()
                                                                  : u": "_s + result.stderrText.trimmed().right(2000)));
    }
    result.exitCode = p->exitCode();
    qCDebug(lcHashibox) << "vagrant" << command << "exited with" << result.exitCode;
    co_return result;
}

Result<> Vagrant::failure(const QString &command, const Run &run) const
{
    for (const VagrantEvent &event : run.events) {
        if (event.type == u"error-exit")
            return std::unexpected(explain(command, event.field(0), event.field(1)));
    }
    if (run.exitCode == 0)
        return {};
    QStringList said;
    for (const VagrantEvent &event : run.events) {
        if (event.type == u"ui" && event.field(0) == u"error")
            said.append(event.field(1).trimmed());
    }
    if (said.isEmpty())
        said = run.stray;
    if (said.isEmpty() && !run.stderrText.trimmed().isEmpty())
        said.append(run.stderrText.trimmed().right(2000));
    QString message = u"vagrant %1 failed (exit code %2)"_s.arg(command).arg(run.exitCode);
    if (!said.isEmpty())
        message += u": "_s + said.join(u'\n');
    return fail(Error::Code::Internal, message);
}

Error Vagrant::explain(const QString &command, const QString &errorClass, const QString &message)
{
    const QString said = condense(message.trimmed());
    const QString lead = u"vagrant "_s + command + u": "_s;
    // hashicorp/vagrant: lib/vagrant/errors.rb and templates/locales/en.yml
    // for the core classes; vagrant-libvirt/vagrant-libvirt:
    // lib/vagrant-libvirt/errors.rb for the provider's.
    if (isOneOf(errorClass, {u"NoDefaultProvider", u"ProviderNotFound", u"ProviderNotFoundSuggestion",
                             u"ProviderNotUsable", u"ProviderChecksumMismatch"})) {
        return Error{Error::Code::Unsupported,
                     lead
                         + u"no usable provider: the Hashibox runs on libvirt, and vagrant has no working "
                           u"libvirt provider. "_s
                         + kInstallLibvirt + u"\nvagrant said: "_s + said};
    }
    // Also when it comes wrapped in a BatchMultiError, as `up` reports it
    // for all three machines at once.
    if ((errorClass.contains(u"ProviderLibvirt") || isOneOf(errorClass, {u"BatchMultiError"}))
        && (errorClass.endsWith(u"ConnectionError") || said.contains(u"connecting to Libvirt"))) {
        return Error{Error::Code::Unsupported,
                     lead + u"vagrant-libvirt cannot reach libvirt. "_s + kInstallLibvirt
                         + u" Start the daemon with sudo systemctl start libvirtd.\nvagrant said: "_s + said};
    }
    const bool portClash = isOneOf(errorClass, {u"ForwardPortCollision", u"ForwardPortAutolistEmpty",
                                                u"NetworkCollision", u"NetworkAddressInvalid"});
    const bool networkClash
        = errorClass.contains(u"ProviderLibvirt")
          && (isOneOf(errorClass, {u"NetworkNameAndAddressMismatch", u"ActivateNetworkError", u"CreateNetworkError"})
              || said.contains(u"already in use"));
    if (portClash || networkClash) {
        return Error{Error::Code::Conflict,
                     lead
                         + u"a port or address the Hashibox needs is taken. Free it (ss -ltnp shows who listens "
                           u"on a port; virsh net-list --all shows libvirt's networks, one may already hold %1), "
                           u"or change the nodes' addresses in hashibox/Vagrantfile (NODES) and "
                           u"hashibox/provision/*.hcl, then run meshpad hashibox up again.\nvagrant said: "_s.arg(
                               generate::HashiboxGenerator::nodeNetwork())
                         + said};
    }
    if (isOneOf(errorClass, {u"NoEnvironmentError"})) {
        return Error{Error::Code::Io, lead
                                          + u"no Vagrantfile; write the Hashibox with meshpad generate DESIGN -o DIR.\n"
                                            u"vagrant said: "_s
                                          + said};
    }
    return Error{Error::Code::Internal, lead + said + (errorClass.isEmpty() ? QString() : u" ("_s + errorClass + u')')};
}

QCoro::Task<Result<>> Vagrant::up(std::chrono::milliseconds timeout)
{
    // Built before co_await: g++ 12 miscompiles initializer lists inside a
    // co_await expression ("array used as initializer").
    QStringList arguments;
    arguments.append(u"--provider=libvirt"_s);
    const auto r = co_await run(u"up"_s, arguments, timeout);
    if (!r)
        co_return std::unexpected(r.error());
    co_return failure(u"up"_s, *r);
}

QCoro::Task<Result<QList<MachineStatus>>> Vagrant::status(std::chrono::milliseconds timeout)
{
    const auto r = co_await run(u"status"_s, QStringList(), timeout);
    if (!r)
        co_return std::unexpected(r.error());
    if (auto failed = failure(u"status"_s, *r); !failed)
        co_return std::unexpected(failed.error());
    // hashicorp/vagrant: plugins/commands/status/command.rb prints, per
    // machine: provider-name, state, state-human-short, state-human-long.
    QList<MachineStatus> machines;
    const auto machine = [&machines](const QString &name) -> MachineStatus & {
        for (MachineStatus &m : machines) {
            if (m.name == name)
                return m;
        }
        machines.append(MachineStatus{name, {}, {}, {}});
        return machines.last();
    };
    for (const VagrantEvent &event : r->events) {
        if (event.target.isEmpty())
            continue;
        if (event.type == u"metadata" && event.field(0) == u"provider")
            machine(event.target).provider = event.field(1);
        else if (event.type == u"provider-name")
            machine(event.target).provider = event.field(0);
        else if (event.type == u"state")
            machine(event.target).state = event.field(0);
        else if (event.type == u"state-human-short")
            machine(event.target).stateText = event.field(0);
    }
    co_return machines;
}

QCoro::Task<Result<>> Vagrant::destroy(std::chrono::milliseconds timeout)
{
    QStringList arguments;
    arguments.append(u"-f"_s);
    const auto r = co_await run(u"destroy"_s, arguments, timeout);
    if (!r)
        co_return std::unexpected(r.error());
    const bool errorExit = std::any_of(r->events.cbegin(), r->events.cend(),
                                       [](const VagrantEvent &e) { return e.type == u"error-exit"; });
    if (r->exitCode != 0 && !errorExit) {
        // hashicorp/vagrant: plugins/commands/destroy/command.rb exits 1
        // (all) or 2 (some) when machines kept the state they had.
        co_return fail(Error::Code::Internal,
                       u"vagrant destroy left %1 machines as they were (exit code %2); meshpad hashibox status "
                       u"shows them"_s.arg(r->exitCode == 1 ? u"all"_s : u"some"_s)
                           .arg(r->exitCode));
    }
    co_return failure(u"destroy"_s, *r);
}

} // namespace mesh::hashibox
