// `meshpad hashibox up|status|destroy` run as the real binary with the real
// vagrant (Debian's 2.3.4) on the Hashibox `meshpad generate` writes.
// No VM can run here: without vagrant-libvirt, vagrant's own errors must
// come out as Meshpad's message saying what to install. For the rest, a
// stand-in libvirt provider (a provider plugin in the test's VAGRANT_HOME
// Vagrantfile, keeping each machine's state in a file) lets the real vagrant
// print its status and action lines, and `up`'s wait for Consul and Nomad
// runs against a real `meshpad lab up`.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;

namespace {

QString meshpadPath()
{
    return QStringLiteral(MESHPAD_BINARY_DIR "/bin/meshpad");
}

struct Run
{
    int status = -2;
    QString out;
    QString err;
};

// vagrant-libvirt's place, taken by a provider that only keeps a state
// file per machine (.vagrant/machines/NAME/libvirt/standin-state): up
// writes "running", destroy removes it. Vagrant's status, action and ui
// lines around it are vagrant's own.
const QByteArray kStandInProvider = R"RUBY(
class MeshpadStandInState
  def initialize(app, env, state)
    @app = app
    @state = state
  end

  def call(env)
    file = env[:machine].data_dir.join('standin-state')
    if @state
      File.write(file, @state)
    else
      File.delete(file) if File.exist?(file)
    end
    env[:ui].info("stand-in libvirt: #{@state || 'destroyed'}")
    @app.call(env)
  end
end

class MeshpadStandInLibvirt < Vagrant.plugin('2', :provider)
  def initialize(machine)
    @machine = machine
  end

  def self.usable?(raise_error = false)
    true
  end

  def action(name)
    state = { up: 'running', destroy: nil }
    return nil unless state.key?(name)
    Vagrant::Action::Builder.new.tap { |b| b.use MeshpadStandInState, state[name] }
  end

  def state
    file = @machine.data_dir.join('standin-state')
    id = File.exist?(file) ? File.read(file).strip.to_sym : :not_created
    Vagrant::MachineState.new(id, id.to_s.tr('_', ' '), "The stand-in says #{id}.")
  end
end

class MeshpadStandInLibvirtPlugin < Vagrant.plugin('2')
  name 'meshpad stand-in libvirt'
  provider('libvirt', parallel: true, box_optional: true) { MeshpadStandInLibvirt }
  config('libvirt', :provider) do
    Class.new(Vagrant.plugin('2', :config)) { attr_accessor :memory, :cpus }
  end
end
)RUBY";

QJsonObject parseObject(const QString &text)
{
    const QJsonDocument d = QJsonDocument::fromJson(text.toUtf8());
    return d.isObject() ? d.object() : QJsonObject();
}

} // namespace

class TestHashiboxCommand final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    // vagrant as packaging/install-deps.sh installs it: with vagrant-libvirt,
    // without a libvirt daemon (no VMs on these machines).
    QProcessEnvironment m_env;
    QProcessEnvironment m_noPluginEnv; // vagrant without vagrant-libvirt
    QProcessEnvironment m_standInEnv;  // vagrant with the stand-in provider
    QString m_dir;                     // meshpad generate's output

    Run meshpad(const QStringList &arguments, const QProcessEnvironment &env, int timeoutMs = 120'000)
    {
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(meshpadPath(), arguments);
        if (!p.waitForFinished(timeoutMs)) {
            p.kill();
            p.waitForFinished(5000);
            return {-2, QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
        }
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
                QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
    }

    [[nodiscard]] bool setStandInState(const QString &machine, const QString &state)
    {
        // A failing QVERIFY returns from this lambda only; the caller checks the result.
        [&] {
            const QString dir = m_dir + u"/hashibox/.vagrant/machines/"_s + machine + u"/libvirt"_s;
            QVERIFY(QDir().mkpath(dir));
            QFile file(dir + u"/standin-state"_s);
            if (state.isEmpty()) {
                file.remove();
                return;
            }
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write(state.toUtf8());
        }();
        return !QTest::currentTestFailed();
    }

    QMap<QString, QString> machineStates(const QJsonObject &status)
    {
        QMap<QString, QString> states;
        for (const QJsonValue &m : status.value(u"machines").toArray())
            states.insert(m[u"name"].toString(), m[u"state"].toString());
        return states;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        QVERIFY2(!QStandardPaths::findExecutable(u"vagrant"_s).isEmpty(), "vagrant is not installed");
        const QString runtime = m_tmp.filePath(u"run"_s);
        QVERIFY(QDir().mkpath(runtime));
        QVERIFY(QFile::setPermissions(runtime, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        m_env = QProcessEnvironment::systemEnvironment();
        // Nothing of the user's: their ~/.vagrant.d, plugins and boxes stay out.
        m_env.insert(u"HOME"_s, m_tmp.filePath(u"home"_s));
        m_env.insert(u"VAGRANT_HOME"_s, m_tmp.filePath(u"vagrant.d"_s));
        m_env.insert(u"VAGRANT_CHECKPOINT_DISABLE"_s, u"1"_s);
        m_env.insert(u"XDG_RUNTIME_DIR"_s, runtime);
        m_env.remove(u"VAGRANT_DEFAULT_PROVIDER"_s);
        m_env.remove(u"VAGRANT_CWD"_s);
        // VAGRANT_NO_PLUGINS: vagrant loads no plugin, the installed
        // vagrant-libvirt included — what a user without it has.
        m_noPluginEnv = m_env;
        m_noPluginEnv.insert(u"VAGRANT_NO_PLUGINS"_s, u"1"_s);
        m_standInEnv = m_env;
        const QString standInHome = m_tmp.filePath(u"vagrant-standin.d"_s);
        QVERIFY(QDir().mkpath(standInHome));
        QFile vagrantfile(standInHome + u"/Vagrantfile"_s);
        QVERIFY(vagrantfile.open(QIODevice::WriteOnly));
        vagrantfile.write(kStandInProvider);
        vagrantfile.close();
        m_standInEnv.insert(u"VAGRANT_HOME"_s, standInHome);

        m_dir = m_tmp.filePath(u"out"_s);
        const Run generated = meshpad(
            {u"generate"_s, QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad"), u"-o"_s, m_dir},
            m_env);
        QVERIFY2(generated.status == 0, qPrintable(generated.err));
        QVERIFY(QFile::exists(m_dir + u"/hashibox/Vagrantfile"_s));
    }

    void usage_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        QTest::newRow("hashibox alone") << QStringList{u"hashibox"_s} << 2 << u"expected up, status or destroy"_s;
        QTest::newRow("unknown word") << QStringList{u"hashibox"_s, u"halt"_s} << 2 << u"unknown subcommand \"halt\""_s;
        QTest::newRow("a stray argument") << QStringList{u"hashibox"_s, u"up"_s, u"out"_s} << 2 << u"-dir DIR"_s;
        QTest::newRow("a bad timeout") << QStringList{u"hashibox"_s, u"up"_s, u"-timeout"_s, u"soon"_s} << 2
                                       << u"-timeout: \"soon\" is not a positive duration"_s;
        QTest::newRow("destroy has no addresses")
            << QStringList{u"hashibox"_s, u"destroy"_s, u"-consul-addr"_s, u"http://x"_s} << 2 << u"consul-addr"_s;
    }

    void usage()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, status);
        QFETCH(QString, message);
        const Run r = meshpad(arguments, m_env);
        QCOMPARE(r.status, status);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    void helpNamesTheCommands()
    {
        const Run top = meshpad({u"--help"_s}, m_env);
        QVERIFY2(top.out.contains(u"hashibox up|status|destroy [-dir DIR]"), qPrintable(top.out));
        const Run help = meshpad({u"hashibox"_s, u"up"_s, u"-help"_s}, m_env);
        QCOMPARE(help.status, 0);
        QVERIFY2(help.out.startsWith(u"Usage: meshpad hashibox up [options]"), qPrintable(help.out));
        QVERIFY(help.out.contains(u"-consul-addr <URL>"));
    }

    // The real vagrant without the vagrant-libvirt plugin: what a user
    // without the provider sees, for each command.
    void noUsableProviderSaysWhatToInstall_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("vagrantSaid");
        QTest::newRow("up")
            << u"up"_s << u"The provider 'libvirt' could not be found, but was requested to\nback the machine 'one'."_s;
        QTest::newRow("status") << u"status"_s << u"No usable default provider could be found for your system."_s;
        QTest::newRow("destroy") << u"destroy"_s << u"No usable default provider could be found for your system."_s;
    }

    void noUsableProviderSaysWhatToInstall()
    {
        QFETCH(QString, command);
        QFETCH(QString, vagrantSaid);
        const Run r = meshpad({u"hashibox"_s, command, u"-dir"_s, m_dir}, m_noPluginEnv);
        QCOMPARE(r.status, 1);
        QVERIFY2(r.err.startsWith(u"meshpad hashibox "_s + command + u": vagrant "_s + command
                                  + u": no usable provider: the Hashibox runs on libvirt"_s),
                 qPrintable(r.err));
        QVERIFY2(r.err.contains(u"sudo apt install vagrant-libvirt libvirt-daemon-system"), qPrintable(r.err));
        QVERIFY2(r.err.contains(u"sudo usermod -aG libvirt $USER"), qPrintable(r.err));
        // Vagrant's own words follow, unescaped.
        QVERIFY2(r.err.contains(u"vagrant said: "_s + vagrantSaid), qPrintable(r.err));
        QVERIFY2(!r.err.contains(u"VAGRANT_COMMA") && !r.err.contains(u"\\n"), qPrintable(r.err));
    }

    // The real vagrant-libvirt with no libvirt daemon: status reads the
    // three machines (not created), up says to start libvirt, with vagrant's
    // reason once, not once per machine.
    void libvirtNotRunningSaysToStartIt()
    {
        const Run status = meshpad({u"hashibox"_s, u"status"_s, u"-dir"_s, m_dir, u"-json"_s}, m_env);
        QVERIFY2(status.status == 0, qPrintable(status.out + status.err));
        const QJsonObject json = QJsonDocument::fromJson(status.out.toUtf8()).object();
        const QMap<QString, QString> states = machineStates(json);
        QCOMPARE(states,
                 (QMap<QString, QString>{
                     {u"one"_s, u"not_created"_s}, {u"two"_s, u"not_created"_s}, {u"three"_s, u"not_created"_s}}));
        for (const QJsonValue &m : json.value(u"machines").toArray())
            QCOMPARE(m[u"provider"].toString(), u"libvirt"_s);

        const Run up = meshpad({u"hashibox"_s, u"up"_s, u"-dir"_s, m_dir}, m_env);
        QCOMPARE(up.status, 1);
        QVERIFY2(up.err.startsWith(u"meshpad hashibox up: vagrant up: vagrant-libvirt cannot reach libvirt."_s),
                 qPrintable(up.err));
        QVERIFY2(up.err.contains(u"sudo systemctl start libvirtd"), qPrintable(up.err));
        QCOMPARE(up.err.count(u"Failed to connect socket to '/var/run/libvirt/libvirt-sock'"_s), 1);
        QVERIFY2(!up.err.contains(u"executing the action on the 'two'"), qPrintable(up.err));
    }

    void noVagrantfileSaysToGenerate_data()
    {
        QTest::addColumn<QString>("dir");
        QTest::newRow("an empty directory") << u"empty"_s;
        QTest::newRow("a directory that does not exist") << u"missing"_s;
    }

    void noVagrantfileSaysToGenerate()
    {
        QFETCH(QString, dir);
        QVERIFY(QDir().mkpath(m_tmp.filePath(u"empty"_s)));
        const QString path = m_tmp.filePath(dir);
        for (const QString &command : {u"up"_s, u"status"_s, u"destroy"_s}) {
            const Run r = meshpad({u"hashibox"_s, command, u"-dir"_s, path}, m_env);
            QCOMPARE(r.status, 2);
            QVERIFY2(r.err.startsWith(u"meshpad hashibox "_s + command + u": no Hashibox in "_s + path),
                     qPrintable(r.err));
            QVERIFY2(r.err.contains(u"meshpad generate DESIGN -o "_s + path), qPrintable(r.err));
        }
    }

    void vagrantMissingSaysWhereToGetIt()
    {
        QProcessEnvironment env = m_env;
        env.insert(u"PATH"_s, m_tmp.filePath(u"nothing-here"_s));
        const Run r = meshpad({u"hashibox"_s, u"up"_s, u"-dir"_s, m_dir}, env);
        QCOMPARE(r.status, 1);
        QVERIFY2(r.err.contains(u"meshpad hashibox up: vagrant is not installed (no vagrant in PATH)"),
                 qPrintable(r.err));
        QVERIFY2(r.err.contains(u"sudo apt install vagrant"), qPrintable(r.err));
        QVERIFY2(r.err.contains(u"https://developer.hashicorp.com/vagrant/install"), qPrintable(r.err));
    }

    // vagrant status's lines for three machines in three states, as a table
    // and as JSON.
    void statusShowsEachMachinesState()
    {
        QVERIFY(setStandInState(u"one"_s, u"shutoff"_s));
        QVERIFY(setStandInState(u"two"_s, u"paused"_s));
        QVERIFY(setStandInState(u"three"_s, QString()));
        const Run json = meshpad({u"hashibox"_s, u"status"_s, u"-dir"_s, m_dir, u"-json"_s}, m_standInEnv);
        QVERIFY2(json.status == 0, qPrintable(json.err));
        const QJsonObject status = parseObject(json.out);
        QCOMPARE(status.value(u"directory").toString(), QDir(m_dir).absoluteFilePath(u"hashibox"_s));
        const QJsonArray machines = status.value(u"machines").toArray();
        QCOMPARE(machines.size(), 3);
        QCOMPARE(machines.at(0)[u"name"].toString(), u"one"_s);
        QCOMPARE(machines.at(2)[u"name"].toString(), u"three"_s);
        QCOMPARE(machines.at(2)[u"stateText"].toString(), u"not created"_s);
        QCOMPARE(machines.at(2)[u"provider"].toString(), u"libvirt"_s);
        QCOMPARE(machineStates(status),
                 (QMap<QString, QString>{
                     {u"one"_s, u"shutoff"_s}, {u"two"_s, u"paused"_s}, {u"three"_s, u"not_created"_s}}));
        // Nothing runs: no cluster to ask.
        QVERIFY(!status.contains(u"cluster"));

        const Run text = meshpad({u"hashibox"_s, u"status"_s, u"-dir"_s, m_dir + u"/hashibox"_s}, m_standInEnv);
        QVERIFY2(text.status == 0, qPrintable(text.err));
        const QStringList lines = text.out.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 4);
        QCOMPARE(lines.at(0).simplified(), u"MACHINE STATE PROVIDER"_s);
        QCOMPARE(lines.at(3).simplified(), u"three not_created libvirt"_s);
    }

    // up: vagrant up, then the wait on a real lab's Consul and Nomad until
    // 3 members are alive and 3 clients ready; status then shows the
    // cluster; destroy takes the machines down.
    void upWaitsForTheClusterThenDestroy()
    {
        for (const QString &m : {u"one"_s, u"two"_s, u"three"_s})
            QVERIFY(setStandInState(m, QString()));

        QProcess lab;
        lab.setProcessEnvironment(m_env);
        lab.start(meshpadPath(), {u"lab"_s, u"up"_s});
        QVERIFY(lab.waitForStarted());
        QString consulAddr;
        QString nomadAddr;
        QString labOut;
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         labOut += QString::fromUtf8(lab.readAllStandardOutput());
                         for (const QString &line : labOut.split(u'\n')) {
                             const QStringList f = line.split(u' ');
                             // node one consul URL nomad URL
                             if (f.size() == 6 && f.at(0) == u"node" && f.at(1) == u"one") {
                                 consulAddr = f.at(3);
                                 nomadAddr = f.at(5);
                             }
                         }
                         return !consulAddr.isEmpty() || lab.state() == QProcess::NotRunning;
                     },
                     60'000)
                     && !consulAddr.isEmpty(),
                 qPrintable(labOut + QString::fromUtf8(lab.readAllStandardError())));
        const auto stopLab = qScopeGuard([&lab] {
            ::kill(pid_t(lab.processId()), SIGTERM);
            if (!lab.waitForFinished(30'000)) {
                lab.kill();
                lab.waitForFinished(5000);
            }
        });

        const Run up = meshpad({u"hashibox"_s, u"up"_s, u"-dir"_s, m_dir, u"-consul-addr"_s, consulAddr,
                                u"-nomad-addr"_s, nomadAddr, u"-timeout"_s, u"2m"_s},
                               m_standInEnv, 180'000);
        QVERIFY2(up.status == 0, qPrintable(up.out + up.err));
        // vagrant's progress, as a person reads it…
        QVERIFY2(up.out.contains(u"Bringing machine 'two' up with 'libvirt' provider..."), qPrintable(up.out));
        QVERIFY2(up.out.contains(u"==> three: stand-in libvirt: running"), qPrintable(up.out));
        QVERIFY2(up.out.contains(u"one: up done"), qPrintable(up.out));
        // …then the cluster's.
        QVERIFY2(up.out.contains(u"machines up; waiting for Consul at "_s + consulAddr), qPrintable(up.out));
        QVERIFY2(up.out.contains(u"consul: leader "), qPrintable(up.out));
        QVERIFY2(up.out.contains(u", 3 of 3 members alive"), qPrintable(up.out));
        QVERIFY2(up.out.contains(u", 3 of 3 clients ready"), qPrintable(up.out));
        QVERIFY2(up.out.contains(u"hashibox ready: consul "_s + consulAddr + u", nomad "_s + nomadAddr),
                 qPrintable(up.out));

        const Run status = meshpad({u"hashibox"_s, u"status"_s, u"-dir"_s, m_dir, u"-json"_s, u"-consul-addr"_s,
                                    consulAddr, u"-nomad-addr"_s, nomadAddr},
                                   m_standInEnv);
        QVERIFY2(status.status == 0, qPrintable(status.err));
        const QJsonObject s = parseObject(status.out);
        QCOMPARE(
            machineStates(s),
            (QMap<QString, QString>{{u"one"_s, u"running"_s}, {u"two"_s, u"running"_s}, {u"three"_s, u"running"_s}}));
        const QJsonObject consul = s[u"cluster"][u"consul"].toObject();
        const QJsonObject nomad = s[u"cluster"][u"nomad"].toObject();
        QVERIFY2(consul[u"ready"].toBool() && consul[u"alive"].toInt() == 3, qPrintable(status.out));
        QVERIFY2(!consul[u"leader"].toString().isEmpty(), qPrintable(status.out));
        QVERIFY2(nomad[u"up"].toBool() && nomad[u"ready"].toInt() == 3, qPrintable(status.out));

        const Run destroy = meshpad({u"hashibox"_s, u"destroy"_s, u"-dir"_s, m_dir, u"-json"_s}, m_standInEnv);
        QVERIFY2(destroy.status == 0, qPrintable(destroy.out + destroy.err));
        // -json: vagrant's events as they came, one object per line.
        int actions = 0;
        for (const QString &line : destroy.out.split(u'\n', Qt::SkipEmptyParts)) {
            const QJsonObject event = parseObject(line);
            QVERIFY2(!event.isEmpty(), qPrintable(line));
            if (event[u"event"].toString() == u"vagrant" && event[u"type"].toString() == u"action")
                ++actions;
        }
        QCOMPARE(actions, 6); // destroy start and end, per machine
        const Run after = meshpad({u"hashibox"_s, u"status"_s, u"-dir"_s, m_dir, u"-json"_s}, m_standInEnv);
        QCOMPARE(machineStates(parseObject(after.out)),
                 (QMap<QString, QString>{
                     {u"one"_s, u"not_created"_s}, {u"two"_s, u"not_created"_s}, {u"three"_s, u"not_created"_s}}));
    }

    // Machines up but nothing answers: the wait ends at -timeout and says
    // which part is missing.
    void clusterNotUpSaysWhatIsMissing()
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const QString nowhere = u"http://127.0.0.1:"_s + QString::number(closed.serverPort());
        closed.close();
        const Run r = meshpad({u"hashibox"_s, u"up"_s, u"-dir"_s, m_dir, u"-consul-addr"_s, nowhere, u"-nomad-addr"_s,
                               nowhere, u"-timeout"_s, u"20s"_s},
                              m_standInEnv, 120'000);
        QCOMPARE(r.status, 1);
        QVERIFY2(r.err.contains(u"meshpad hashibox up: the cluster was not up within "), qPrintable(r.err));
        QVERIFY2(r.err.contains(u"consul: cannot reach Consul at "_s + nowhere), qPrintable(r.err));
        QVERIFY2(r.err.contains(u"nomad: cannot reach Nomad at "_s + nowhere), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestHashiboxCommand)
#include "tst_hashiboxcommand.moc"
