// mesh::hashibox::VagrantOutput on what the real vagrant 2.3.4 printed with
// --machine-readable (tests/data/vagrant, captured from Debian's package on
// the generated Hashibox): fields split, vagrant's escapes undone
// (hashicorp/vagrant: lib/vagrant/ui.rb MachineReadable), lines cut anywhere
// put back together, and vagrant's error-exits turned into what to do.
#include "hashibox/vagrant.h"
#include "hashibox/vagrantoutput.h"

#include <QFile>
#include <QTest>

using namespace mesh;
using namespace mesh::hashibox;
using namespace Qt::StringLiterals;

namespace {

QByteArray captured(const QString &name)
{
    QFile file(QStringLiteral(MESHPAD_TEST_DATA "/vagrant/") + name);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QList<VagrantEvent> parseAll(const QByteArray &bytes, qsizetype chunk)
{
    VagrantOutput output;
    QList<VagrantEvent> events;
    for (qsizetype i = 0; i < bytes.size(); i += chunk)
        events += output.feed(QByteArrayView(bytes).sliced(i, std::min(chunk, bytes.size() - i)));
    events += output.finish();
    return events;
}

QStringList summary(const QList<VagrantEvent> &events)
{
    QStringList out;
    for (const VagrantEvent &e : events)
        out.append(e.target + u'|' + e.type + u'|' + e.data.join(u'|'));
    return out;
}

} // namespace

class TestVagrantOutput final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void errorExitUndoesTheEscapes()
    {
        const QByteArray bytes = captured(u"status-no-provider.txt"_s);
        QVERIFY(!bytes.isEmpty());
        const QList<VagrantEvent> events = parseAll(bytes, bytes.size());
        QCOMPARE(events.size(), 2);
        const VagrantEvent &exit = events.at(1);
        QCOMPARE(exit.type, u"error-exit"_s);
        QCOMPARE(exit.target, QString());
        QCOMPARE(exit.data.size(), 2);
        QCOMPARE(exit.field(0), u"Vagrant::Errors::NoDefaultProvider"_s);
        // "%!(VAGRANT_COMMA)" is a comma again, "\n" a line break.
        QVERIFY2(exit.field(1).startsWith(u"No usable default provider could be found for your system.\n\n"
                                          u"Vagrant relies on interactions with 3rd party systems, known as\n"_s),
                 qPrintable(exit.field(1)));
        QVERIFY(!exit.field(1).contains(u"VAGRANT_COMMA"));
        QVERIFY(!exit.field(1).contains(u"\\n"));
        QVERIFY(exit.time.isValid());
        QCOMPARE(exit.time.timeSpec(), Qt::UTC);
        const VagrantEvent &ui = events.at(0);
        QCOMPARE(ui.type, u"ui"_s);
        QCOMPARE(ui.field(0), u"error"_s);
        QCOMPARE(ui.field(1), exit.field(1));
    }

    void statusGivesEachMachinesState()
    {
        const QList<VagrantEvent> events = parseAll(captured(u"status-three-states.txt"_s), 4096);
        QStringList states;
        for (const VagrantEvent &e : events) {
            if (e.type == u"state" || e.type == u"state-human-short")
                states.append(e.target + u' ' + e.type + u' ' + e.field(0));
        }
        QCOMPARE(states, (QStringList{u"one state running"_s, u"one state-human-short running"_s,
                                      u"two state shutoff"_s, u"two state-human-short shutoff"_s,
                                      u"three state not_created"_s, u"three state-human-short not created"_s}));
        const VagrantEvent &table = events.constLast();
        QCOMPARE(table.type, u"ui"_s);
        QCOMPARE(table.field(0), u"info"_s);
        QVERIFY2(table.field(1).contains(u"\nthree                     not created (libvirt)\n"),
                 qPrintable(table.field(1)));
        QVERIFY(table.field(1).contains(u"For more information about a specific\nVM, run `vagrant status NAME`."));
    }

    // However vagrant's pipe cuts its output, the same events come out.
    void linesCutAnywhereComeOutWhole_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("chunk");
        for (const char *file : {"status-three-states.txt", "up-actions.txt", "up-provider-not-found.txt"}) {
            for (int chunk : {1, 7, 64}) {
                QTest::addRow("%s in chunks of %d bytes", file, chunk) << QString::fromLatin1(file) << chunk;
            }
        }
    }

    void linesCutAnywhereComeOutWhole()
    {
        QFETCH(QString, file);
        QFETCH(int, chunk);
        const QByteArray bytes = captured(file);
        QVERIFY(!bytes.isEmpty());
        QCOMPARE(summary(parseAll(bytes, chunk)), summary(parseAll(bytes, bytes.size())));
    }

    void partialLineWaitsForItsEnd()
    {
        VagrantOutput output;
        QVERIFY(output.feed("1796598651,one,action,up,st").isEmpty());
        QVERIFY(output.feed("art\r").isEmpty());
        const QList<VagrantEvent> events = output.feed("\n1796598652,one,ui,output,==> one: half");
        QCOMPARE(summary(events), QStringList{u"one|action|up|start"_s});
        // Output that ends without a newline still counts.
        QCOMPARE(summary(output.finish()), QStringList{u"one|ui|output|==> one: half"_s});
        QVERIFY(output.finish().isEmpty());
    }

    void strayLinesAreKeptForErrors()
    {
        VagrantOutput output;
        const QList<VagrantEvent> events
            = output.feed("/usr/lib/ruby/vendor_ruby/net/ssh.rb:5: warning: already initialized constant\n"
                          "\n"
                          "1796598651,,ui,info,Bringing machine 'one' up with 'libvirt' provider...\n");
        QCOMPARE(events.size(), 1);
        QCOMPARE(output.strayLines(),
                 QStringList{u"/usr/lib/ruby/vendor_ruby/net/ssh.rb:5: warning: already initialized constant"_s});
    }

    void unescape_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("text");
        QTest::newRow("comma") << u"a%!(VAGRANT_COMMA) b"_s << u"a, b"_s;
        QTest::newRow("two commas") << u"%!(VAGRANT_COMMA)%!(VAGRANT_COMMA)"_s << u",,"_s;
        QTest::newRow("newline") << u"one\\ntwo"_s << u"one\ntwo"_s;
        QTest::newRow("carriage return") << u"50%\\r"_s << u"50%\r"_s;
        QTest::newRow("percent alone") << u"100% done"_s << u"100% done"_s;
        QTest::newRow("backslash before another letter") << u"C:\\temp"_s << u"C:\\temp"_s;
        QTest::newRow("trailing backslash") << u"end\\"_s << u"end\\"_s;
    }

    void unescape()
    {
        QFETCH(QString, field);
        QFETCH(QString, text);
        QCOMPARE(VagrantOutput::unescape(field), text);
    }

    void notMachineReadable_data()
    {
        QTest::addColumn<QString>("line");
        QTest::newRow("plain text") << u"Bringing machine 'one' up"_s;
        QTest::newRow("no type") << u"1796598651,one"_s;
        QTest::newRow("timestamp not a number") << u"now,one,state,running"_s;
        QTest::newRow("empty type") << u"1796598651,one,,running"_s;
    }

    void notMachineReadable()
    {
        QFETCH(QString, line);
        QVERIFY(!VagrantOutput::parseLine(line));
    }

    void describeSaysWhatAPersonReads_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("text");
        QTest::newRow("ui output") << u"1796598652,one,ui,output,==> one: stand-in up%!(VAGRANT_COMMA) done"_s
                                   << u"==> one: stand-in up, done"_s;
        QTest::newRow("ui info") << u"1796598651,,ui,info,Bringing machine 'one' up with 'libvirt' provider..."_s
                                 << u"Bringing machine 'one' up with 'libvirt' provider..."_s;
        QTest::newRow("action start") << u"1796598651,two,action,up,start"_s << u"two: up…"_s;
        QTest::newRow("action end") << u"1796598652,two,action,destroy,end"_s << u"two: destroy done"_s;
        QTest::newRow("state") << u"1796598641,three,state,not_created"_s << u"three: not_created"_s;
        QTest::newRow("error-exit")
            << u"1796598610,,error-exit,Vagrant::Errors::ProviderNotFound,The provider 'libvirt' could not be found%!(VAGRANT_COMMA) but"_s
            << u"Vagrant::Errors::ProviderNotFound: The provider 'libvirt' could not be found, but"_s;
        QTest::newRow("metadata is bookkeeping") << u"1796598641,one,metadata,provider,libvirt"_s << QString();
        QTest::newRow("human state is bookkeeping")
            << u"1796598641,one,state-human-long,The machine%!(VAGRANT_COMMA)"_s << QString();
    }

    void describeSaysWhatAPersonReads()
    {
        QFETCH(QString, line);
        QFETCH(QString, text);
        const auto event = VagrantOutput::parseLine(line);
        QVERIFY(event);
        QCOMPARE(VagrantOutput::describe(*event), text);
    }

    // vagrant's error-exits, the captured ones and vagrant-libvirt's as its
    // docs quote them, become what to install or change.
    void explainSaysWhatToDo_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("errorClass");
        QTest::addColumn<QString>("message");
        QTest::addColumn<int>("code");
        QTest::addColumn<QStringList>("says");
        const auto exitOf = [](const QString &file) {
            const QList<VagrantEvent> events = parseAll(captured(file), 4096);
            return events.isEmpty() ? VagrantEvent{} : events.constLast();
        };
        const VagrantEvent noProvider = exitOf(u"status-no-provider.txt"_s);
        const VagrantEvent notFound = exitOf(u"up-provider-not-found.txt"_s);
        const VagrantEvent noEnvironment = exitOf(u"status-no-vagrantfile.txt"_s);
        const QStringList install{u"no usable provider"_s, u"sudo apt install vagrant-libvirt libvirt-daemon-system"_s,
                                  u"sudo usermod -aG libvirt $USER"_s, u"vagrant said: "_s};
        QTest::newRow("status without vagrant-libvirt (captured)")
            << u"status"_s << noProvider.field(0) << noProvider.field(1) << int(Error::Code::Unsupported)
            << (install + QStringList{u"vagrant status: "_s, u"No usable default provider could be found"_s});
        QTest::newRow("up --provider=libvirt without vagrant-libvirt (captured)")
            << u"up"_s << notFound.field(0) << notFound.field(1) << int(Error::Code::Unsupported)
            << (install + QStringList{u"The provider 'libvirt' could not be found, but was requested"_s});
        QTest::newRow("no Vagrantfile (captured)")
            << u"status"_s << noEnvironment.field(0) << noEnvironment.field(1) << int(Error::Code::Io)
            << QStringList{u"meshpad generate DESIGN -o DIR"_s,
                           u"A Vagrant environment or target machine is required"_s};
        QTest::newRow("libvirt daemon not reachable")
            << u"up"_s << u"VagrantPlugins::ProviderLibvirt::Errors::FogLibvirtConnectionError"_s
            << u"Error while connecting to Libvirt: Error making a connection to libvirt URI qemu:///system:\n"
               u"Call to virConnectOpen failed: Failed to connect socket to '/var/run/libvirt/libvirt-sock': "
               u"Permission denied"_s
            << int(Error::Code::Unsupported)
            << QStringList{u"cannot reach libvirt"_s, u"libvirt group"_s, u"systemctl start libvirtd"_s,
                           u"Permission denied"_s};
        QTest::newRow("forwarded port taken")
            << u"up"_s << u"Vagrant::Errors::ForwardPortCollision"_s
            << u"Vagrant cannot forward the specified ports on this VM, since they\nwould collide with some other "
               u"application that is already listening\non these ports. The forwarded port to 8500 is already in use\n"
               u"on the host machine."_s
            << int(Error::Code::Conflict)
            << QStringList{u"is taken"_s, u"ss -ltnp"_s, u"hashibox/Vagrantfile (NODES)"_s,
                           u"The forwarded port to 8500 is already in use"_s};
        QTest::newRow("nodes' network taken by another libvirt network")
            << u"up"_s << u"VagrantPlugins::ProviderLibvirt::Errors::ActivateNetworkError"_s
            << u"Error while activating network: Call to virNetworkCreate failed: internal error: Network is "
               u"already in use by interface virbr1."_s
            << int(Error::Code::Conflict) << QStringList{u"virsh net-list --all"_s, u"10.42.0.0/24"_s, u"virbr1"_s};
        QTest::newRow("anything else in vagrant's words")
            << u"up"_s << u"Vagrant::Errors::BoxNotFound"_s << u"The box 'generic/debian12' could not be found."_s
            << int(Error::Code::Internal)
            << QStringList{
                   u"vagrant up: The box 'generic/debian12' could not be found. (Vagrant::Errors::BoxNotFound)"_s};
    }

    void explainSaysWhatToDo()
    {
        QFETCH(QString, command);
        QFETCH(QString, errorClass);
        QFETCH(QString, message);
        QFETCH(int, code);
        QFETCH(QStringList, says);
        QVERIFY(!errorClass.isEmpty());
        const Error error = Vagrant::explain(command, errorClass, message);
        QCOMPARE(int(error.code), code);
        for (const QString &s : says)
            QVERIFY2(error.message.contains(s), qPrintable(u"missing \""_s + s + u"\" in:\n"_s + error.message));
    }
};

QTEST_GUILESS_MAIN(TestVagrantOutput)
#include "tst_vagrantoutput.moc"
