#include "consulauthorizer.h"

#include "consul/consulclient.h"

#include <QCoro/QCoroTask>

namespace mesh::proxy {

ConsulAuthorizer::ConsulAuthorizer(consul::ConsulClient *client)
    : m_client(client)
{
}

void ConsulAuthorizer::requestAuthorization(const pki::SpiffeId &source, const QString &destination, QObject *context,
                                            Decided decided) const
{
    // The serial is optional for the agent (it does not check revocation);
    // the URI decides.
    QCoro::connect(m_client->authorize(destination, source.toString(), QString()), context,
                   [decided = std::move(decided)](const Result<consul::Authorize> &answer) {
                       if (!answer)
                           decided({false, QStringLiteral("cannot ask the agent: ") + answer.error().message});
                       else
                           decided({answer->authorized, answer->reason});
                   });
}

} // namespace mesh::proxy
