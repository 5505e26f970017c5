"""OpenStack (Keystone, Nova, Cinder, Neutron, Glance) simulator for one region. Not built yet."""
