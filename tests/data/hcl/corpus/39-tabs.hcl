job	"tabs"	{
	datacenters	=	["dc1"]
	group "g" {
		count = 2	# tab before comment
		meta = {	k	=	"v"	}
	}
}
