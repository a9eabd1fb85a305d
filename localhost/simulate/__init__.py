"""`python -m localhost.simulate`: what a provider would send, signed, to a running instance.

In the spirit of `stripe trigger`: one command sends a customer's message, a delivery
report or Event Grid's validation handshake to the local host, shaped as the provider
documents it and signed with the account's stored credentials, so a local conversation
needs no tunnel and no hand-written HMAC. A dev tool: the app never imports it.
"""
