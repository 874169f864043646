// TopologyModel: every change emits its fine-grained, past-tense signal in
// the promised order, no-op changes emit nothing, and removing a service
// takes its arrows with it.

#include "model/projectfile.h"
#include "model/topologymodel.h"

#include <QSignalSpy>
#include <QTest>

using namespace mesh::model;

class TestTopologyModel : public QObject
{
    Q_OBJECT

    Topology example() const
    {
        auto t = ProjectFile::load(QStringLiteral(MESHPAD_SOURCE_DIR "/resources/examples/countdash.meshpad"));
        Q_ASSERT(t);
        return *t;
    }

private Q_SLOTS:
    void setTopologyResets()
    {
        TopologyModel model;
        QSignalSpy reset(&model, &TopologyModel::modelReset);
        QSignalSpy changed(&model, &TopologyModel::changed);
        model.setTopology(example());
        QCOMPARE(reset.count(), 1);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.topology().services.size(), 2);
    }

    void addServiceGivesFreshIdsAndSignals()
    {
        TopologyModel model;
        model.setTopology(example());
        QSignalSpy added(&model, &TopologyModel::serviceAdded);
        Service s;
        s.name = u"count-api"_qs; // same name as the existing id: the id must differ
        const ServiceId first = model.addService(s);
        QCOMPARE(first.value, u"count-api-2");
        s.id = first; // taken again
        const ServiceId second = model.addService(s, 0);
        QCOMPARE(second.value, u"count-api-3");
        QCOMPARE(model.indexOfService(second), 0);
        QCOMPARE(added.count(), 2);
        QCOMPARE(added.at(0).at(0).value<ServiceId>(), first);
    }

    void updateAndMoveEmitOnlyOnChange()
    {
        TopologyModel model;
        model.setTopology(example());
        QSignalSpy changedService(&model, &TopologyModel::serviceChanged);
        QSignalSpy moved(&model, &TopologyModel::serviceMoved);
        QSignalSpy changed(&model, &TopologyModel::changed);
        Service s = model.topology().services[1];
        QVERIFY(!model.updateService(s)); // identical: nothing happens
        QCOMPARE(changed.count(), 0);
        s.count = 5;
        QVERIFY(model.updateService(s));
        QCOMPARE(changedService.count(), 1);
        QCOMPARE(moved.count(), 0);
        QVERIFY(model.moveService(s.id, QPointF(10, 20)));
        QVERIFY(!model.moveService(s.id, QPointF(10, 20)));
        QCOMPARE(moved.count(), 1);
        QCOMPARE(moved.at(0).at(1).toPointF(), QPointF(10, 20));
        QCOMPARE(changed.count(), 2);
        QVERIFY(!model.moveService(ServiceId{u"nope"_qs}, QPointF()));
    }

    void removeServiceTakesItsArrowsFirst()
    {
        TopologyModel model;
        model.setTopology(example());
        QStringList order;
        connect(&model, &TopologyModel::upstreamAboutToBeRemoved, this, [&](const UpstreamId &id) {
            QVERIFY(model.upstream(id)); // still there
            order << u"upstreamAboutToBeRemoved "_qs + id.value;
        });
        connect(&model, &TopologyModel::upstreamRemoved, this,
                [&](const UpstreamId &id) { order << u"upstreamRemoved "_qs + id.value; });
        connect(&model, &TopologyModel::serviceAboutToBeRemoved, this, [&](const ServiceId &id) {
            QVERIFY(model.service(id));
            order << u"serviceAboutToBeRemoved "_qs + id.value;
        });
        connect(&model, &TopologyModel::serviceRemoved, this,
                [&](const ServiceId &id) { order << u"serviceRemoved "_qs + id.value; });
        connect(&model, &TopologyModel::changed, this, [&] { order << u"changed"_qs; });

        QVERIFY(model.removeService(ServiceId{u"count-api"_qs}));
        QCOMPARE(order,
                 (QStringList{u"upstreamAboutToBeRemoved count-dashboard-to-count-api"_qs,
                              u"upstreamRemoved count-dashboard-to-count-api"_qs,
                              u"serviceAboutToBeRemoved count-api"_qs, u"serviceRemoved count-api"_qs, u"changed"_qs}));
        QVERIFY(model.topology().upstreams.isEmpty());
        QVERIFY(!model.removeService(ServiceId{u"count-api"_qs}));
    }

    void addUpstreamRefusesBrokenArrows()
    {
        TopologyModel model;
        model.setTopology(example());
        const ServiceId d{u"count-dashboard"_qs}, c{u"count-api"_qs};
        QVERIFY(!model.addUpstream({{}, d, ServiceId{u"nope"_qs}, {}, 9000, IntentionAction::Allow}));
        QVERIFY(!model.addUpstream({{}, ServiceId{u"nope"_qs}, c, {}, 9000, IntentionAction::Allow}));
        QVERIFY(!model.addUpstream({{}, d, d, {}, 9000, IntentionAction::Allow}));
        QSignalSpy added(&model, &TopologyModel::upstreamAdded);
        const auto id = model.addUpstream({{}, c, d, {}, 9000, IntentionAction::Deny});
        QVERIFY(id);
        QCOMPARE(id->value, u"count-api-to-count-dashboard");
        QCOMPARE(added.count(), 1);

        QSignalSpy changedUp(&model, &TopologyModel::upstreamChanged);
        Upstream u = *model.upstream(*id);
        u.action = IntentionAction::Allow;
        QVERIFY(model.updateUpstream(u));
        QVERIFY(!model.updateUpstream(u));
        QCOMPARE(changedUp.count(), 1);
        QSignalSpy removed(&model, &TopologyModel::upstreamRemoved);
        QVERIFY(model.removeUpstream(*id));
        QCOMPARE(removed.count(), 1);
    }

    void settingsAndName()
    {
        TopologyModel model;
        QSignalSpy settings(&model, &TopologyModel::settingsChanged);
        QSignalSpy name(&model, &TopologyModel::nameChanged);
        MeshSettings s;
        model.setSettings(s);
        QCOMPARE(settings.count(), 0);
        s.defaultPolicy = IntentionAction::Deny;
        model.setSettings(s);
        QCOMPARE(settings.count(), 1);
        model.setName(u"shop"_qs);
        model.setName(u"shop"_qs);
        QCOMPARE(name.count(), 1);
    }
};

QTEST_GUILESS_MAIN(TestTopologyModel)
#include "tst_topologymodel.moc"
