#include "canceltoken.h"

namespace mesh::api {

CancelToken::CancelToken(QObject *parent)
    : QObject(parent)
{
}

// Destroying the token is a cancel too: a request must not outlive the
// object that could have stopped it.
CancelToken::~CancelToken()
{
    cancel();
}

void CancelToken::cancel()
{
    if (m_cancelled)
        return;
    m_cancelled = true;
    Q_EMIT cancelled();
}

} // namespace mesh::api
