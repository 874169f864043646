// hashibox/: goldens; Debian's `vagrant validate` accepts the Vagrantfile
// (and refuses a broken one, so the check can fail); the Consul and Nomad
// agent configs parse with HashiCorp's HCL parser and hold what a Connect
// cluster needs (hashicorp/consul: agent/config/default.go; hashicorp/nomad:
// website/pages/docs/integrations/consul-connect.mdx); install.sh passes
// bash -n and shellcheck and checks the apps.
//
// Goldens live in tests/data/hashibox/<row>/; MESHPAD_UPDATE_GOLDEN=1
// rewrites them from the current output (review with git diff).
#include "goldenfiles.h"
#include "hcl2json.h"
#include "testtopologies.h"

#include "filetree.h"
#include "generate/artifactset.h"
#include "generate/hashiboxgenerator.h"
#include "generate/scriptgenerator.h"
#include "model/validator.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace mesh::model;
using mesh::generate::ArtifactSet;
using mesh::generate::HashiboxGenerator;

namespace {

Topology otherDatacenter()
{
    Topology t = meshtest::countdash();
    t.name = QStringLiteral("shop's \"mesh\"");
    t.settings.datacenter = QStringLiteral("eu-west");
    Service odd = meshtest::makeService(QStringLiteral("odd"), QStringLiteral("odd"), QStringLiteral("1"));
    odd.command = QStringLiteral("/vagrant/apps/bin/it's odd $x");
    Service docker = meshtest::makeService(QStringLiteral("d"), QStringLiteral("d"), QStringLiteral("2"));
    docker.driver = Driver::Docker;
    docker.image = QStringLiteral("redis:7");
    t.services.append(odd);
    t.services.append(docker);
    return t;
}

ArtifactSet generate(const Topology &t)
{
    ArtifactSet set;
    HashiboxGenerator::addArtifacts(t, set);
    return set;
}

const QStringList kBlocks = {QStringLiteral("connect"),   QStringLiteral("ports"),  QStringLiteral("ui_config"),
                             QStringLiteral("advertise"), QStringLiteral("server"), QStringLiteral("server_join"),
                             QStringLiteral("client"),    QStringLiteral("consul"), QStringLiteral("config")};

QStringList strings(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &e : v.toArray())
        out.append(e.toString());
    return out;
}

// Issue 17: the countdash design renamed, with one more task running
// `command`. Most names below are valid (a name may say anything); those
// with control characters only `generate --force` writes.
Topology hostile(const QString &name, const QString &command)
{
    Topology t = meshtest::countdash();
    t.name = name;
    Service odd = meshtest::makeService(QStringLiteral("odd"), QStringLiteral("odd"), QStringLiteral("1"));
    odd.command = command;
    t.services.append(odd);
    return t;
}

struct Result
{
    int exitCode = -1;
    QString output;
};

Result runIn(const QString &dir, const QString &program, const QStringList &args)
{
    QProcess p;
    p.setWorkingDirectory(dir);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForFinished(120000))
        return {-1, QStringLiteral("timed out")};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAll())};
}

} // namespace

class TestHashiboxGenerator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void artifacts_data();
    void artifacts();
    void vagrantValidate_data();
    void vagrantValidate();
    void vagrantValidateRefusesABrokenFile();
    void agentConfigs_data();
    void agentConfigs();
    void deterministic();
    void hostileNames_data();
    void hostileNames();

private:
    QString m_vagrant;
};

void TestHashiboxGenerator::initTestCase()
{
    m_vagrant = QStandardPaths::findExecutable(QStringLiteral("vagrant"));
    if (m_vagrant.isEmpty())
        QFAIL("vagrant is not installed: run packaging/install-deps.sh");
    if (QStandardPaths::findExecutable(QStringLiteral("shellcheck")).isEmpty())
        QFAIL("shellcheck is not installed: run packaging/install-deps.sh");
    if (const QString missing = meshtest::Hcl2Json::missing(); !missing.isEmpty())
        QFAIL(qPrintable(missing));
    QStringList hcl;
    for (const Topology &t : {meshtest::countdash(), otherDatacenter()}) {
        const ArtifactSet set = generate(t);
        for (const auto &a : set.artifacts()) {
            if (a.kind == mesh::generate::ArtifactKind::Hcl)
                hcl.append(a.text);
        }
    }
    meshtest::Hcl2Json::prefetch(hcl);
}

void TestHashiboxGenerator::artifacts_data()
{
    QTest::addColumn<Topology>("topology");
    QTest::newRow("countdash") << meshtest::countdash();
    QTest::newRow("other-datacenter") << otherDatacenter();
}

void TestHashiboxGenerator::artifacts()
{
    QFETCH(Topology, topology);
    const ArtifactSet set = generate(topology);
    QCOMPARE(
        set.paths(),
        (QStringList{QStringLiteral("hashibox/Vagrantfile"), QStringLiteral("hashibox/provision/install.sh"),
                     QStringLiteral("hashibox/provision/consul.hcl"), QStringLiteral("hashibox/provision/nomad.hcl")}));
    QList<meshtest::GoldenFiles::File> files;
    for (const auto &a : set.artifacts())
        files.append({a.path, a.text});
    const QStringList differences = meshtest::GoldenFiles::compareTree(
        QStringLiteral(MESHPAD_TEST_DATA "/hashibox/") + QString::fromLatin1(QTest::currentDataTag()), files);
    QVERIFY2(differences.isEmpty(), qPrintable(differences.join(u'\n')));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(set.writeTo(dir.path()).has_value());
    const QString install = dir.filePath(QStringLiteral("hashibox/provision/install.sh"));
    QVERIFY(set.find(u"hashibox/provision/install.sh")->executable);
    Result r = runIn(dir.path(), QStringLiteral("bash"), {QStringLiteral("-n"), install});
    QVERIFY2(r.exitCode == 0, qPrintable(r.output));
    r = runIn(dir.path(), QStringLiteral("shellcheck"), {QStringLiteral("--severity=style"), install});
    QVERIFY2(r.exitCode == 0, qPrintable(r.output));

    // What the seed's setup lacked, and the apps the jobs run.
    const QString script = set.find(u"hashibox/provision/install.sh")->text;
    for (const char *needed : {"systemctl enable --now docker consul nomad", "net.bridge.bridge-nf-call-iptables = 1",
                               "/etc/sysctl.d/", "/etc/modules-load.d/", "containernetworking-plugins",
                               "install_release consul", "install_release nomad", "sha256sum --check"})
        QVERIFY2(script.contains(QString::fromUtf8(needed)), needed);
    const QString vagrantfile = set.find(u"hashibox/Vagrantfile")->text;
    for (const Service &s : topology.services) {
        if (s.driver == Driver::Docker)
            continue;
        QVERIFY2(script.contains(u"[[ -x " + mesh::generate::ScriptGenerator::shellQuote(s.command) + u" ]]"),
                 qPrintable(s.command));
        QVERIFY2(vagrantfile.contains(s.command), qPrintable(s.command));
    }
    // The synced folder puts the output directory at /vagrant, where the
    // countdash jobs' commands and the scripts live.
    QVERIFY(vagrantfile.contains(u"config.vm.synced_folder '..', '/vagrant'"));
    for (const QString &node : HashiboxGenerator::nodeNames())
        QVERIFY(vagrantfile.contains(u'\'' + node + u'\''));
    for (const QString &ip : HashiboxGenerator::nodeAddresses())
        QVERIFY(vagrantfile.contains(u'\'' + ip + u'\''));
}

void TestHashiboxGenerator::vagrantValidate_data()
{
    artifacts_data();
}

// No provider plugin is installed here (vagrant-libvirt is not in Debian's
// vagrant), and `vagrant validate` then stops at "No usable default
// provider". --ignore-provider validates everything but the libvirt block,
// which holds only memory and cpus.
void TestHashiboxGenerator::vagrantValidate()
{
    QFETCH(Topology, topology);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(generate(topology).writeTo(dir.path()).has_value());
    const QString hashibox = dir.filePath(QStringLiteral("hashibox"));
    Result r = runIn(hashibox, m_vagrant, {QStringLiteral("validate"), QStringLiteral("--ignore-provider")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.output));
    QVERIFY2(r.output.contains(u"Vagrantfile validated successfully"), qPrintable(r.output));
    // Ruby itself accepts the whole file, provider block included.
    r = runIn(hashibox, QStringLiteral("ruby"), {QStringLiteral("-c"), QStringLiteral("Vagrantfile")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.output));
}

void TestHashiboxGenerator::vagrantValidateRefusesABrokenFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(generate(meshtest::countdash()).writeTo(dir.path()).has_value());
    const QString path = dir.filePath(QStringLiteral("hashibox/Vagrantfile"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadWrite));
    QString text = QString::fromUtf8(f.readAll());
    text.replace(QStringLiteral("node.vm.hostname = name"), QStringLiteral("node.vm.hostnme = name"));
    f.resize(0);
    f.write(text.toUtf8());
    f.close();
    const Result r = runIn(dir.filePath(QStringLiteral("hashibox")), m_vagrant,
                           {QStringLiteral("validate"), QStringLiteral("--ignore-provider")});
    QVERIFY2(r.exitCode != 0, qPrintable(r.output));
}

void TestHashiboxGenerator::agentConfigs_data()
{
    artifacts_data();
}

void TestHashiboxGenerator::agentConfigs()
{
    QFETCH(Topology, topology);
    const ArtifactSet set = generate(topology);
    const auto consulParsed = meshtest::Hcl2Json::parse(set.find(u"hashibox/provision/consul.hcl")->text);
    QVERIFY2(consulParsed.json, qPrintable(consulParsed.error));
    const QJsonObject consul = meshtest::Hcl2Json::unwrapBlocks(*consulParsed.json, kBlocks);
    QCOMPARE(consul[u"datacenter"].toString(), topology.settings.datacenter);
    QCOMPARE(consul[u"server"].toBool(), true);
    QCOMPARE(consul[u"bootstrap_expect"].toInt(), 3);
    QCOMPARE(strings(consul[u"retry_join"]), HashiboxGenerator::nodeAddresses());
    QCOMPARE(consul[u"connect"][u"enabled"].toBool(), true);
    QCOMPARE(consul[u"ports"][u"grpc"].toInt(), 8502);
    QVERIFY(consul[u"client_addr"].toString().startsWith(u"127.0.0.1 "));
    QVERIFY(consul[u"bind_addr"].toString().contains(HashiboxGenerator::nodeNetwork()));

    const auto nomadParsed = meshtest::Hcl2Json::parse(set.find(u"hashibox/provision/nomad.hcl")->text);
    QVERIFY2(nomadParsed.json, qPrintable(nomadParsed.error));
    const QJsonObject nomad = meshtest::Hcl2Json::unwrapBlocks(*nomadParsed.json, kBlocks);
    QCOMPARE(nomad[u"datacenter"].toString(), topology.settings.datacenter);
    QCOMPARE(nomad[u"server"][u"enabled"].toBool(), true);
    QCOMPARE(nomad[u"server"][u"bootstrap_expect"].toInt(), 3);
    QCOMPARE(strings(nomad[u"server"][u"server_join"][u"retry_join"]), HashiboxGenerator::nodeAddresses());
    QCOMPARE(nomad[u"client"][u"enabled"].toBool(), true);
    QCOMPARE(nomad[u"client"][u"cni_path"].toString(), QStringLiteral("/usr/lib/cni"));
    QCOMPARE(nomad[u"client"][u"chroot_env"][u"/vagrant"].toString(), QStringLiteral("/vagrant"));
    QCOMPARE(nomad[u"client"][u"chroot_env"][u"/usr"].toString(), QStringLiteral("/usr"));
    QCOMPARE(nomad[u"consul"][u"address"].toString(), QStringLiteral("127.0.0.1:8500"));
    QCOMPARE(nomad[u"consul"][u"grpc_address"].toString(), QStringLiteral("127.0.0.1:8502"));
    QCOMPARE(nomad[u"plugin"][u"raw_exec"][0][u"config"][u"enabled"].toBool(), true);
}

void TestHashiboxGenerator::deterministic()
{
    for (const Topology &t : {meshtest::countdash(), otherDatacenter(), Topology{}}) {
        const ArtifactSet a = generate(t);
        const ArtifactSet b = generate(Topology(t));
        for (const auto &artifact : a.artifacts())
            QCOMPARE(b.find(artifact.path)->text, artifact.text);
    }
}

void TestHashiboxGenerator::hostileNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("command");
    const QString app = QStringLiteral("/vagrant/apps/bin/app");
    auto row = [](const char *scenario, const QString &name, const QString &command) {
        QTest::newRow(scenario) << name << command;
    };
    row("name sets the encoding, emacs style", QStringLiteral("-*- coding: utf-16le -*-"), app);
    row("name sets the encoding on its own line", QStringLiteral("x\n# encoding: ascii-8bit"), app);
    row("name freezes string literals", QStringLiteral("frozen_string_literal: true"), app);
    row("name freezes string literals, emacs style", QStringLiteral("a -*- frozen_string_literal: true -*- b"), app);
    row("name makes constants shareable", QStringLiteral("shareable_constant_value: experimental_everything"), app);
    row("name with quotes and backslashes", QStringLiteral("it's \"quoted\" \\' \\\\"), app);
    row("name that interpolates", QStringLiteral("#{File.write('pwned', 'x')} #@x #$0"), app);
    row("name that breaks out on a new line", QStringLiteral("x'\nFile.write('pwned', 'x')\n# '"), app);
    row("name that ends the program", QStringLiteral("a\n__END__\n"), app);
    row("name that opens a block comment", QStringLiteral("a\n=begin\n"), app);
    row("name with NUL, escape and bidi override", QStringLiteral("a\0b\x1b[31m\u202e\u0085c"), app);
    row("command freezes string literals, emacs style", QStringLiteral("countdash"),
        QStringLiteral("/app -*- frozen_string_literal: true -*-"));
    row("command sets the encoding on its own line", QStringLiteral("countdash"),
        QStringLiteral("/app\n# -*- coding: utf-16le -*-"));
    row("command with control characters", QStringLiteral("countdash"), QStringLiteral("/app\0\x1b]0;x\x07\u2066"));
}

// Whatever the design's name and commands, Ruby reads the Vagrantfile as we
// wrote it: it parses, the only magic comments in effect are ours (source
// UTF-8, string literals not frozen, constants not made shareable), DESIGN
// holds the name exactly, nothing of the name runs; no raw control
// character is in the Vagrantfile or install.sh, which bash and shellcheck
// accept.
void TestHashiboxGenerator::hostileNames()
{
    QFETCH(QString, name);
    QFETCH(QString, command);
    const Topology topology = hostile(name, command);
    const ArtifactSet set = generate(topology);
    const QString vagrantfile = set.find(u"hashibox/Vagrantfile")->text;
    const QString install = set.find(u"hashibox/provision/install.sh")->text;
    QVERIFY2(meshtest::rawControlCharacters(vagrantfile).isEmpty(),
             qPrintable(meshtest::rawControlCharacters(vagrantfile)));
    QVERIFY2(meshtest::rawControlCharacters(install).isEmpty(), qPrintable(meshtest::rawControlCharacters(install)));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(set.writeTo(dir.path()).has_value());
    const QString hashibox = dir.filePath(QStringLiteral("hashibox"));
    Result r = runIn(hashibox, QStringLiteral("ruby"), {QStringLiteral("-c"), QStringLiteral("Vagrantfile")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.output));

    // Load it under a Vagrant that configures nothing, then ask Ruby what
    // the file's own code saw. A probe appended at the end is past the
    // leading comments, so it cannot change which magic comments apply.
    QFile stub(dir.filePath(QStringLiteral("vagrant_stub.rb")));
    QVERIFY(stub.open(QIODevice::WriteOnly));
    stub.write("module Vagrant\n  def self.configure(_version); end\nend\n");
    stub.close();
    QFile probe(dir.filePath(QStringLiteral("hashibox/Vagrantfile.probe")));
    QVERIFY(probe.open(QIODevice::WriteOnly));
    probe.write(vagrantfile.toUtf8());
    probe.write("\nputs __ENCODING__.name, ''.frozen?, Ractor.shareable?(NODES), DESIGN.unpack1('H*')\n");
    probe.close();
    r = runIn(hashibox, QStringLiteral("ruby"), {QStringLiteral("-r"), stub.fileName(), probe.fileName()});
    QVERIFY2(r.exitCode == 0, qPrintable(r.output));
    QCOMPARE(r.output, QStringLiteral("UTF-8\nfalse\nfalse\n%1\n").arg(QString::fromLatin1(name.toUtf8().toHex())));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("hashibox/pwned"))));

    const QString script = dir.filePath(QStringLiteral("hashibox/provision/install.sh"));
    r = runIn(dir.path(), QStringLiteral("bash"), {QStringLiteral("-n"), script});
    QVERIFY2(r.exitCode == 0, qPrintable(r.output));
    r = runIn(dir.path(), QStringLiteral("shellcheck"), {QStringLiteral("--severity=style"), script});
    QVERIFY2(r.exitCode == 0, qPrintable(r.output));
}

QTEST_GUILESS_MAIN(TestHashiboxGenerator)
#include "tst_hashiboxgenerator.moc"
