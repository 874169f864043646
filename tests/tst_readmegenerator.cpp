// README.md: describes every file of the set it is given (also ones it does
// not know), with the commands to use and remove them, and the seed's jq
// recipe for a dynamic port.
#include "testtopologies.h"

#include "generate/artifactset.h"
#include "generate/consulgenerator.h"
#include "generate/hashiboxgenerator.h"
#include "generate/nomadjobgenerator.h"
#include "generate/readmegenerator.h"
#include "generate/scriptgenerator.h"

#include <QTest>

using namespace mesh::generate;
using namespace mesh::model;

class TestReadmeGenerator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void describesEveryFile_data();
    void describesEveryFile();
    void countdashCommands();
    void externalServiceIsNamed();
    void emptyDesign();
};

namespace {

ArtifactSet fullSet(const Topology &t)
{
    ArtifactSet set;
    ConsulGenerator::addArtifacts(t, set);
    NomadJobGenerator::addArtifacts(t, set);
    ScriptGenerator::addArtifacts(t, set);
    HashiboxGenerator::addArtifacts(t, set);
    return set;
}

} // namespace

void TestReadmeGenerator::describesEveryFile_data()
{
    QTest::addColumn<Topology>("topology");
    QTest::newRow("countdash") << meshtest::countdash();
    Topology deny = meshtest::countdash();
    deny.settings.defaultPolicy = IntentionAction::Deny;
    deny.services[0].name = QStringLiteral("we`ird");
    QTest::newRow("default deny, odd name") << deny;
    Topology external = meshtest::countdash();
    external.services[0].external = true;
    QTest::newRow("an external service") << external;
}

void TestReadmeGenerator::describesEveryFile()
{
    QFETCH(Topology, topology);
    ArtifactSet set = fullSet(topology);
    set.add({QStringLiteral("extra/unknown.txt"), ArtifactKind::Markdown, QString(), false});
    const QStringList paths = set.paths();
    ReadmeGenerator::addArtifacts(topology, set);
    const Artifact *readme = set.find(u"README.md");
    QVERIFY(readme);
    QCOMPARE(readme->kind, ArtifactKind::Markdown);
    for (const QString &p : paths)
        QVERIFY2(readme->text.contains(u"- `" + p + u"` — "), qPrintable(p));
    QVERIFY(readme->text.contains(u"- `extra/unknown.txt` — generated file."));
}

void TestReadmeGenerator::countdashCommands()
{
    const Topology t = meshtest::countdash();
    const ArtifactSet set = fullSet(t);
    const QString md = ReadmeGenerator::readme(t, set);
    for (const char *expected : {
             "consul services register consul/count-api.hcl",
             "curl --fail --request PUT --data @consul/count-dashboard.json "
             "http://127.0.0.1:8500/v1/agent/service/register",
             "consul config write consul/intentions/count-api.json",
             "consul config delete -kind service-intentions -name count-api",
             "/v1/agent/service/deregister/count-dashboard",
             "nomad job run nomad/counter.nomad.hcl",
             "nomad job run nomad/dashboard.nomad.hcl",
             "nomad job stop -purge dashboard",
             "vagrant ssh two -c /vagrant/scripts/count-dashboard.sh",
             "cd hashibox && vagrant up",
             "select(.JobID == \"dashboard\"",
             "select(.Label == \"http\")",
         })
        QVERIFY2(md.contains(QString::fromUtf8(expected)), qPrintable(QString::fromUtf8(expected) + u"\n" + md));
    QCOMPARE(ReadmeGenerator::readme(t, set), md); // deterministic
}

void TestReadmeGenerator::externalServiceIsNamed()
{
    Topology t = meshtest::countdash();
    t.services[0].external = true; // count-api
    const ArtifactSet set = fullSet(t);
    const QString md = ReadmeGenerator::readme(t, set);
    QVERIFY2(md.contains(u"run and registered elsewhere; no job or script below runs them): `count-api`."),
             qPrintable(md));
    QVERIFY(!md.contains(u"nomad job run nomad/counter.nomad.hcl"));
    QVERIFY(md.contains(u"consul config write consul/intentions/count-api.json"));
    QVERIFY(
        !ReadmeGenerator::readme(meshtest::countdash(), fullSet(meshtest::countdash())).contains(u"External services"));
}

void TestReadmeGenerator::emptyDesign()
{
    ArtifactSet set;
    ReadmeGenerator::addArtifacts(Topology{}, set);
    QCOMPARE(set.paths(), QStringList{QStringLiteral("README.md")});
    QVERIFY(set.artifacts().first().text.startsWith(u"# Mesh"));
}

QTEST_GUILESS_MAIN(TestReadmeGenerator)
#include "tst_readmegenerator.moc"
